//! Known IAM privilege-escalation methods: sets of actions that, allowed together on an
//! unrestricted scope, let a principal grant itself more than it has.
//!
//! Source: Rhino Security Labs, "AWS IAM Privilege Escalation – Methods and Mitigation"
//! (Spencer Gietzen, 2018), the 21 methods of which Bishop Fox's `iam-vulnerable` also
//! exercises; plus `iam:CreateRole` + `iam:AttachRolePolicy`/`iam:PutRolePolicy` (create a
//! role with any policy, then use it), unless an `iam:PolicyARN` condition limits the
//! policies that can be attached. `docs/codes.md` lists the table.

/// One method: a name, the actions it needs together, and the condition key that defuses it
/// when present on the grant of any of its actions.
pub struct Method {
    /// Short name.
    pub name: &'static str,
    /// Actions that must all be allowed.
    pub actions: &'static [&'static str],
    /// A condition key that, on the grant of one of the actions, restricts the method.
    pub defused_by: Option<&'static str>,
}

/// The methods, single actions first.
pub const METHODS: &[Method] = &[
    m(
        "create a new default version of a managed policy",
        &["iam:CreatePolicyVersion"],
        None,
    ),
    m(
        "switch a managed policy to another version",
        &["iam:SetDefaultPolicyVersion"],
        None,
    ),
    m(
        "create access keys for another user",
        &["iam:CreateAccessKey"],
        None,
    ),
    m(
        "set a console password for another user",
        &["iam:CreateLoginProfile"],
        None,
    ),
    m(
        "change another user's console password",
        &["iam:UpdateLoginProfile"],
        None,
    ),
    m(
        "attach any managed policy to a user",
        &["iam:AttachUserPolicy"],
        Some("iam:PolicyARN"),
    ),
    m(
        "attach any managed policy to a group",
        &["iam:AttachGroupPolicy"],
        Some("iam:PolicyARN"),
    ),
    m(
        "write an inline policy for a user",
        &["iam:PutUserPolicy"],
        None,
    ),
    m(
        "write an inline policy for a group",
        &["iam:PutGroupPolicy"],
        None,
    ),
    m("add a user to any group", &["iam:AddUserToGroup"], None),
    m(
        "attach any managed policy to a role, then assume it",
        &["iam:AttachRolePolicy", "sts:AssumeRole"],
        Some("iam:PolicyARN"),
    ),
    m(
        "write an inline policy for a role, then assume it",
        &["iam:PutRolePolicy", "sts:AssumeRole"],
        None,
    ),
    m(
        "rewrite a role's trust policy, then assume it",
        &["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"],
        None,
    ),
    m(
        "create a role and attach any managed policy to it",
        &["iam:CreateRole", "iam:AttachRolePolicy"],
        Some("iam:PolicyARN"),
    ),
    m(
        "create a role and write its inline policy",
        &["iam:CreateRole", "iam:PutRolePolicy"],
        None,
    ),
    m(
        "pass a privileged role to an EC2 instance you start",
        &["iam:PassRole", "ec2:RunInstances"],
        Some("iam:PassedToService"),
    ),
    m(
        "pass a role to a new Lambda function and invoke it",
        &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:InvokeFunction",
        ],
        Some("iam:PassedToService"),
    ),
    m(
        "pass a role to a new Lambda function triggered by an event source",
        &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:CreateEventSourceMapping",
        ],
        Some("iam:PassedToService"),
    ),
    m(
        "replace the code of an existing Lambda function",
        &["lambda:UpdateFunctionCode"],
        None,
    ),
    m(
        "pass a role to a new Glue development endpoint",
        &["iam:PassRole", "glue:CreateDevEndpoint"],
        Some("iam:PassedToService"),
    ),
    m(
        "take over an existing Glue development endpoint",
        &["glue:UpdateDevEndpoint"],
        None,
    ),
    m(
        "pass a role to a CloudFormation stack",
        &["iam:PassRole", "cloudformation:CreateStack"],
        Some("iam:PassedToService"),
    ),
    m(
        "pass a role to a Data Pipeline",
        &[
            "iam:PassRole",
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
        ],
        Some("iam:PassedToService"),
    ),
];

const fn m(
    name: &'static str,
    actions: &'static [&'static str],
    defused_by: Option<&'static str>,
) -> Method {
    Method {
        name,
        actions,
        defused_by,
    }
}
