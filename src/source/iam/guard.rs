//! Read-only by construction: an interceptor on every AWS client refuses any operation not in
//! [`ALLOWED`] before it is signed or sent. The list equals the `iamlint-readonly` rule set
//! (plus `sts:GetCallerIdentity`, which needs no permission); a test checks both that and
//! that the source calls no other IAM operation.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Every AWS operation iamlint may call, as `service:Operation` (IAM action names).
pub const ALLOWED: &[&str] = &[
    "iam:GetAccountAuthorizationDetails",
    "iam:GetGroup",
    "iam:GetGroupPolicy",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:GetUser",
    "iam:GetUserPolicy",
    "iam:ListAttachedGroupPolicies",
    "iam:ListAttachedRolePolicies",
    "iam:ListAttachedUserPolicies",
    "iam:ListGroupPolicies",
    "iam:ListGroups",
    "iam:ListGroupsForUser",
    "iam:ListRolePolicies",
    "iam:ListRoles",
    "iam:ListUserPolicies",
    "iam:ListUsers",
    "iam:SimulatePrincipalPolicy",
    "organizations:ListAccounts",
    "sts:AssumeRole",
    "sts:GetCallerIdentity",
];

/// Is `service:operation` (service as the SDK names it, e.g. `IAM`) allowed?
pub fn allowed(service: &str, operation: &str) -> bool {
    ALLOWED.iter().any(|a| {
        a.split_once(':')
            .is_some_and(|(s, o)| s.eq_ignore_ascii_case(service) && o == operation)
    })
}

/// The interceptor.
#[derive(Debug, Default)]
pub struct ReadOnly;

impl Intercept for ReadOnly {
    fn name(&self) -> &'static str {
        "iamlint::ReadOnly"
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        match cfg.load::<Metadata>() {
            Some(m) if allowed(m.service(), m.name()) => Ok(()),
            Some(m) => Err(format!(
                "iamlint is read-only: refusing to call {}:{}",
                m.service().to_ascii_lowercase(),
                m.name()
            )
            .into()),
            None => Err("iamlint is read-only: refusing an AWS call it cannot name".into()),
        }
    }
}
