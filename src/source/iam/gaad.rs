//! `iamlint fetch gaad`: the account's authorization details from live IAM, written in the
//! format of `aws iam get-account-authorization-details` (documents decoded into JSON
//! objects, as the AWS CLI prints them), so `--gaad` and `lint` read it back.

use aws_sdk_iam::types::{
    AttachedPermissionsBoundary, AttachedPolicy, PolicyDetail, PolicyVersion, Tag,
};
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use serde_json::{Map, Value, json};

use super::{CallError, Loader, MAX_PAGES, decode_document};

fn date(d: Option<&DateTime>) -> Value {
    d.and_then(|d| d.fmt(Format::DateTime).ok())
        .map_or(Value::Null, Value::String)
}

/// A document as a JSON object when it parses (as the CLI prints it), else the decoded text.
fn document(s: Option<&str>) -> Value {
    let Some(s) = s else { return Value::Null };
    // A document that does not decode is kept as IAM returned it: reading the dump then
    // reports it at its place, rather than a lossy guess passing for it.
    let Ok(text) = decode_document(s) else {
        return Value::String(s.to_string());
    };
    serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text))
}

fn inline(list: &[PolicyDetail]) -> Value {
    list.iter()
        .map(|p| {
            json!({
                "PolicyName": p.policy_name(),
                "PolicyDocument": document(p.policy_document()),
            })
        })
        .collect()
}

fn attached(list: &[AttachedPolicy]) -> Value {
    list.iter()
        .map(|a| json!({"PolicyName": a.policy_name(), "PolicyArn": a.policy_arn()}))
        .collect()
}

fn boundary(b: Option<&AttachedPermissionsBoundary>) -> Option<Value> {
    b.map(|b| {
        json!({
            "PermissionsBoundaryType": b.permissions_boundary_type().map(|t| t.as_str()),
            "PermissionsBoundaryArn": b.permissions_boundary_arn(),
        })
    })
}

fn tags(t: &[Tag]) -> Value {
    t.iter()
        .map(|t| json!({"Key": t.key(), "Value": t.value()}))
        .collect()
}

fn versions(v: &[PolicyVersion]) -> Value {
    v.iter()
        .map(|v| {
            json!({
                "Document": document(v.document()),
                "VersionId": v.version_id(),
                "IsDefaultVersion": v.is_default_version(),
                "CreateDate": date(v.create_date()),
            })
        })
        .collect()
}

/// Put `v` under `k` unless it is absent.
fn put(m: &mut Map<String, Value>, k: &str, v: Option<Value>) {
    if let Some(v) = v {
        m.insert(k.to_string(), v);
    }
}

/// The text `fetch gaad` writes for a dump read: indented JSON and a final newline (what
/// `audit --live` reads back, so both see the same account).
pub fn to_text(dump: &Value) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(dump)?;
    text.push('\n');
    Ok(text)
}

impl Loader {
    /// Every page of `GetAccountAuthorizationDetails`, merged.
    pub async fn gaad(&self) -> Result<Value, CallError> {
        let who = "account";
        let op = "iam:GetAccountAuthorizationDetails";
        let (mut users, mut groups, mut roles, mut policies) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut marker: Option<String> = None;
        for pages in 1.. {
            let page = self
                .call(
                    who,
                    op,
                    self.iam
                        .get_account_authorization_details()
                        .set_marker(marker.clone())
                        .send(),
                )
                .await?;
            for u in page.user_detail_list() {
                let mut m = Map::new();
                put(&mut m, "Path", u.path().map(Value::from));
                put(&mut m, "UserName", u.user_name().map(Value::from));
                put(&mut m, "UserId", u.user_id().map(Value::from));
                put(&mut m, "Arn", u.arn().map(Value::from));
                m.insert("CreateDate".into(), date(u.create_date()));
                m.insert("UserPolicyList".into(), inline(u.user_policy_list()));
                m.insert("GroupList".into(), json!(u.group_list()));
                m.insert(
                    "AttachedManagedPolicies".into(),
                    attached(u.attached_managed_policies()),
                );
                put(
                    &mut m,
                    "PermissionsBoundary",
                    boundary(u.permissions_boundary()),
                );
                m.insert("Tags".into(), tags(u.tags()));
                users.push(Value::Object(m));
            }
            for g in page.group_detail_list() {
                let mut m = Map::new();
                put(&mut m, "Path", g.path().map(Value::from));
                put(&mut m, "GroupName", g.group_name().map(Value::from));
                put(&mut m, "GroupId", g.group_id().map(Value::from));
                put(&mut m, "Arn", g.arn().map(Value::from));
                m.insert("CreateDate".into(), date(g.create_date()));
                m.insert("GroupPolicyList".into(), inline(g.group_policy_list()));
                m.insert(
                    "AttachedManagedPolicies".into(),
                    attached(g.attached_managed_policies()),
                );
                groups.push(Value::Object(m));
            }
            for r in page.role_detail_list() {
                let mut m = Map::new();
                put(&mut m, "Path", r.path().map(Value::from));
                put(&mut m, "RoleName", r.role_name().map(Value::from));
                put(&mut m, "RoleId", r.role_id().map(Value::from));
                put(&mut m, "Arn", r.arn().map(Value::from));
                m.insert("CreateDate".into(), date(r.create_date()));
                m.insert(
                    "AssumeRolePolicyDocument".into(),
                    document(r.assume_role_policy_document()),
                );
                let profiles: Vec<Value> = r
                    .instance_profile_list()
                    .iter()
                    .map(|p| {
                        json!({
                            "Path": p.path(),
                            "InstanceProfileName": p.instance_profile_name(),
                            "InstanceProfileId": p.instance_profile_id(),
                            "Arn": p.arn(),
                            "CreateDate": date(Some(p.create_date())),
                            "Roles": p.roles().iter().map(|x| json!({
                                "RoleName": x.role_name(), "Arn": x.arn()
                            })).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                m.insert("InstanceProfileList".into(), profiles.into());
                m.insert("RolePolicyList".into(), inline(r.role_policy_list()));
                m.insert(
                    "AttachedManagedPolicies".into(),
                    attached(r.attached_managed_policies()),
                );
                put(
                    &mut m,
                    "PermissionsBoundary",
                    boundary(r.permissions_boundary()),
                );
                m.insert("Tags".into(), tags(r.tags()));
                roles.push(Value::Object(m));
            }
            for p in page.policies() {
                let mut m = Map::new();
                let arn = p.arn().unwrap_or_default();
                // Some endpoints leave out PolicyName: the ARN's last segment is the name.
                let name = p
                    .policy_name()
                    .map(str::to_string)
                    .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or_default().to_string());
                m.insert("PolicyName".into(), name.into());
                put(&mut m, "PolicyId", p.policy_id().map(Value::from));
                m.insert("Arn".into(), arn.into());
                put(&mut m, "Path", p.path().map(Value::from));
                put(
                    &mut m,
                    "DefaultVersionId",
                    p.default_version_id().map(Value::from),
                );
                put(
                    &mut m,
                    "AttachmentCount",
                    p.attachment_count().map(Value::from),
                );
                put(
                    &mut m,
                    "PermissionsBoundaryUsageCount",
                    p.permissions_boundary_usage_count().map(Value::from),
                );
                m.insert("IsAttachable".into(), p.is_attachable().into());
                put(&mut m, "Description", p.description().map(Value::from));
                m.insert("CreateDate".into(), date(p.create_date()));
                m.insert("UpdateDate".into(), date(p.update_date()));
                m.insert(
                    "PolicyVersionList".into(),
                    versions(p.policy_version_list()),
                );
                policies.push(Value::Object(m));
            }
            match page.marker() {
                Some(m) if page.is_truncated() => {
                    if marker.as_deref() == Some(m) || pages >= MAX_PAGES {
                        return Err(CallError::new(
                            who,
                            op,
                            None,
                            "the listing does not advance (the same marker again); stopped",
                        ));
                    }
                    marker = Some(m.to_string());
                }
                _ => break,
            }
        }
        Ok(json!({
            "UserDetailList": users,
            "GroupDetailList": groups,
            "RoleDetailList": roles,
            "Policies": policies,
        }))
    }
}
