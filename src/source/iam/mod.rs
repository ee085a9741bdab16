//! Live IAM, a source: a principal's policies as IAM holds them, read through the AWS SDK
//! (read-only: the [`guard`] refuses any other call before it is sent). [`Session`] is the
//! blocking door the commands use; [`documents`] hands the documents read to the lint stage,
//! [`crate::source::principal`] one principal's to the check.
//!
//! [`connect`] builds the clients from the standard credential chain (`aws-config`: env,
//! shared files, `--profile`, SSO, web identity, IMDS) with adaptive retries, timeouts and
//! the read-only [`guard`]. A [`Loader`] runs the calls on tokio with at most
//! `max_in_flight` in flight, follows every `Marker`, decodes URL-encoded documents and keeps
//! each document's origin (`role/x inline "p"`, a managed policy ARN). A call that fails is a
//! [`CallError`] naming the principal and the call, never an empty list.

pub mod gaad;
pub mod guard;
pub mod org;
pub mod session;
pub mod simulate;

pub use session::{Session, documents};

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_sdk_iam::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use futures_util::StreamExt;
use futures_util::future::join_all;
use tokio::sync::{OnceCell, Semaphore};

/// Calls in flight at once unless `--max-in-flight` says otherwise.
pub const DEFAULT_IN_FLIGHT: usize = 8;
/// Pages followed for one listing before giving up (100 items a page).
const MAX_PAGES: usize = 10_000;

/// Where and as whom to connect.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A profile of the shared config files (`--profile`).
    pub profile: Option<String>,
    /// The region (`--region`); IAM is global, so `us-east-1` when none is configured.
    pub region: Option<String>,
    /// Another endpoint for every client (`--endpoint-url`).
    pub endpoint_url: Option<String>,
    /// Calls in flight at once (at least 1).
    pub max_in_flight: usize,
    /// Show a progress spinner on stderr (only drawn on a terminal).
    pub progress: bool,
}

/// The AWS clients iamlint uses, each guarded read-only.
#[derive(Debug, Clone)]
pub struct Clients {
    /// IAM.
    pub iam: aws_sdk_iam::Client,
    /// STS (for `--caller`).
    pub sts: aws_sdk_sts::Client,
}

/// The AWS configuration of the standard chain and the options: credentials, region,
/// endpoint, adaptive retries and timeouts.
pub async fn sdk_config(o: &Options) -> aws_config::SdkConfig {
    use aws_config::{BehaviorVersion, Region, retry::RetryConfig, timeout::TimeoutConfig};
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(
            RetryConfig::adaptive()
                .with_max_attempts(8)
                .with_initial_backoff(Duration::from_millis(100)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(10))
                .operation_attempt_timeout(Duration::from_secs(30))
                .operation_timeout(Duration::from_secs(180))
                .build(),
        );
    if let Some(p) = &o.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &o.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(u) = &o.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    let conf = loader.load().await;
    if conf.region().is_none() {
        return conf.into_builder().region(Region::new("us-east-1")).build();
    }
    conf
}

/// Build the clients from the standard chain and the options.
pub async fn connect(o: &Options) -> Clients {
    clients(&sdk_config(o).await, None)
}

/// The guarded clients of `conf`, signing with `credentials` instead of the chain's when
/// given (an assumed role's).
pub fn clients(
    conf: &aws_config::SdkConfig,
    credentials: Option<aws_sdk_iam::config::Credentials>,
) -> Clients {
    let mut iam = aws_sdk_iam::config::Builder::from(conf).interceptor(guard::ReadOnly);
    let mut sts = aws_sdk_sts::config::Builder::from(conf).interceptor(guard::ReadOnly);
    if let Some(c) = credentials {
        iam = iam.credentials_provider(c.clone());
        sts = sts.credentials_provider(c);
    }
    Clients {
        iam: aws_sdk_iam::Client::from_conf(iam.build()),
        sts: aws_sdk_sts::Client::from_conf(sts.build()),
    }
}

/// A user, role or group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An IAM user.
    User,
    /// An IAM role.
    Role,
    /// An IAM group.
    Group,
}

impl Kind {
    /// `user`, `role` or `group`, as in ARNs.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Role => "role",
            Kind::Group => "group",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy document as IAM holds it, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// Where it is: `role/x inline "p"`, `group/g inline "p"`, or the managed policy's ARN.
    pub origin: String,
    /// The JSON text.
    pub text: String,
}

/// A principal and the policies that apply to it.
#[derive(Debug, Clone)]
pub struct Principal {
    /// User, role or group.
    pub kind: Kind,
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// Identity policies: own inline, own attached, then (for a user) each group's.
    pub policies: Vec<Fetched>,
    /// The permissions boundary, which caps what the identity policies allow.
    pub boundary: Option<Fetched>,
}

impl Principal {
    /// `role/name`.
    pub fn label(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }
}

/// A call that was refused or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{who}: {call} {}", self.describe())]
pub struct CallError {
    /// The principal (or `account`) being read.
    pub who: String,
    /// The call, as an IAM action name (`iam:ListRolePolicies`).
    pub call: String,
    /// The error code AWS returned (`AccessDenied`, `NoSuchEntity`, ...), if any.
    pub code: Option<String>,
    /// What went wrong.
    pub message: String,
}

impl CallError {
    fn describe(&self) -> String {
        match self.code.as_deref() {
            Some(c @ ("AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation")) => {
                format!("was refused ({c}): {}", self.message)
            }
            Some(c) => format!("failed ({c}): {}", self.message),
            None => format!("failed: {}", self.message),
        }
    }

    /// Was the call refused for lack of permission?
    pub fn is_access_denied(&self) -> bool {
        self.code
            .as_deref()
            .is_some_and(|c| c.starts_with("AccessDenied") || c == "UnauthorizedOperation")
    }

    pub(crate) fn new(
        who: &str,
        call: &str,
        code: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        CallError {
            who: who.to_string(),
            call: call.to_string(),
            code,
            message: message.into(),
        }
    }

    pub(crate) fn from_sdk<E>(who: &str, call: &str, e: &SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        match e {
            SdkError::ServiceError(s) => {
                let err = s.err();
                let status = s.raw().status().as_u16();
                // Some endpoints wrap the error in `<Errors>`, which the SDK does not read:
                // take the code and message from the body then.
                let body = s
                    .raw()
                    .body()
                    .bytes()
                    .map(String::from_utf8_lossy)
                    .unwrap_or_default();
                let code = err
                    .code()
                    .map(str::to_string)
                    .or_else(|| xml_text(&body, "Code"));
                let fallback = xml_text(&body, "Message");
                let message = match (err.message().map(str::to_string).or(fallback), &code) {
                    (Some(m), _) if !m.is_empty() => m,
                    (_, Some(_)) => format!("HTTP {status}"),
                    (_, None) => format!("HTTP {status} with no AWS error code"),
                };
                CallError::new(who, call, code, message)
            }
            other => CallError::new(who, call, None, DisplayErrorContext(other).to_string()),
        }
    }
}

/// The text of the first `<tag>` element of an XML error body, unescaped.
fn xml_text(body: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = body.find(&open)? + open.len();
    let end = start + body.get(start..)?.find(&format!("</{tag}>"))?;
    let raw = body.get(start..end)?;
    Some(
        raw.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
    .filter(|s| !s.is_empty())
}

/// Decode a policy document as an API returned it: URL-encoded (RFC 3986) as AWS does, or
/// raw JSON as some test servers do. A bad escape or bytes that are not UTF-8 are an error,
/// never a lossy guess.
pub fn decode_document(s: &str) -> Result<String, crate::source::gaad::DecodeError> {
    crate::source::gaad::decode_document(s)
}

/// A document IAM returned, decoded and checked to be a JSON object: anything else is a
/// part of the principal that could not be read, so a check on it would pass wrongly.
fn readable_document(who: &str, call: &str, what: &str, raw: &str) -> Result<String, CallError> {
    let text = decode_document(raw).map_err(|e| {
        CallError::new(
            who,
            call,
            None,
            format!("{what}: the document does not URL-decode: {e}"),
        )
    })?;
    match crate::policy::json::parse(&text) {
        Ok(p) if matches!(p.root.value, crate::policy::json::Value::Object(_)) => Ok(text),
        Ok(p) => Err(CallError::new(
            who,
            call,
            None,
            format!(
                "{what}: the document is {}, not a policy object",
                p.root.value.type_name()
            ),
        )),
        Err(e) => Err(CallError::new(
            who,
            call,
            None,
            format!("{what}: the document is not JSON: {}", e.message),
        )),
    }
}

/// What an STS caller identity ARN names: a user, or the role behind an assumed-role session.
pub fn caller_principal(arn: &str) -> Result<(Kind, String), String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let (Some(service), Some(resource)) = (parts.get(2), parts.get(5)) else {
        return Err(format!("`{arn}` is not an ARN"));
    };
    let last = |r: &str| r.rsplit('/').next().unwrap_or_default().to_string();
    match (*service, *resource) {
        ("iam", r) if r.starts_with("user/") => Ok((Kind::User, last(r))),
        ("sts", r) if r.starts_with("assumed-role/") => {
            let role = r.split('/').nth(1).unwrap_or_default();
            Ok((Kind::Role, role.to_string()))
        }
        ("iam", "root") => Err(format!(
            "`{arn}` is the account's root user: policies do not limit it; run as a user or role"
        )),
        ("sts", r) if r.starts_with("federated-user/") => Err(format!(
            "`{arn}` is a federated user session: its permissions come from the session policy, which IAM does not store"
        )),
        _ => Err(format!(
            "`{arn}`: not a user or an assumed role, so there is nothing in IAM to read"
        )),
    }
}

/// The ARN of the running credentials (STS `GetCallerIdentity`).
pub async fn caller_arn(clients: &Clients) -> Result<String, CallError> {
    let out = clients
        .sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| CallError::from_sdk("caller", "sts:GetCallerIdentity", &e))?;
    Ok(out.arn().unwrap_or_default().to_string())
}

/// Resolve the running credentials to a principal with STS `GetCallerIdentity`.
pub async fn caller(clients: &Clients) -> Result<(Kind, String, String), CallError> {
    let out = clients
        .sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| CallError::from_sdk("caller", "sts:GetCallerIdentity", &e))?;
    let arn = out.arn().unwrap_or_default().to_string();
    let (kind, name) = caller_principal(&arn)
        .map_err(|m| CallError::new("caller", "sts:GetCallerIdentity", None, m))?;
    Ok((kind, name, arn))
}

type ManagedCell = Arc<OnceCell<Result<Fetched, CallError>>>;

/// Reads principals and their policies with a bounded number of calls in flight.
#[derive(Debug)]
pub struct Loader {
    iam: aws_sdk_iam::Client,
    permits: Semaphore,
    /// Calls allowed in flight, which also bounds the principals read at once.
    in_flight: usize,
    managed: Mutex<HashMap<String, ManagedCell>>,
    calls: AtomicUsize,
    bar: Option<indicatif::ProgressBar>,
}

/// Follow `Marker`s until the listing is complete: `$req` is a fresh request builder, `$items`
/// the output's list accessor.
macro_rules! all_pages {
    ($self:expr, $who:expr, $op:expr, $req:expr, $items:ident) => {{
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        let mut pages = 0usize;
        loop {
            let page = $self
                .call($who, $op, $req.set_marker(marker.clone()).send())
                .await?;
            out.extend(page.$items().iter().cloned());
            pages += 1;
            match page.marker() {
                Some(m) if page.is_truncated() => {
                    if marker.as_deref() == Some(m) || pages >= MAX_PAGES {
                        return Err(CallError::new(
                            $who,
                            $op,
                            None,
                            "the listing does not advance (the same marker again); stopped",
                        ));
                    }
                    marker = Some(m.to_string());
                }
                _ => break,
            }
        }
        out
    }};
}

impl Loader {
    /// A loader over `clients` with `o.max_in_flight` calls in flight.
    pub fn new(clients: &Clients, o: &Options) -> Self {
        let bar = o.progress.then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                None,
                indicatif::ProgressDrawTarget::stderr(),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} {pos} IAM calls in {elapsed} {msg}",
            ) {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Loader {
            iam: clients.iam.clone(),
            permits: Semaphore::new(o.max_in_flight.max(1)),
            in_flight: o.max_in_flight.max(1),
            managed: Mutex::new(HashMap::new()),
            calls: AtomicUsize::new(0),
            bar,
        }
    }

    /// Calls made so far (pages and retries of one call count once).
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }

    /// Clear the progress display.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }

    /// Run one SDK call under a permit.
    async fn call<T, E>(
        &self,
        who: &str,
        op: &str,
        fut: impl Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    ) -> Result<T, CallError>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let r = {
            let _permit = self.permits.acquire().await;
            fut.await
        };
        self.calls.fetch_add(1, Ordering::Relaxed);
        if let Some(b) = &self.bar {
            b.inc(1);
        }
        r.map_err(|e| CallError::from_sdk(who, op, &e))
    }

    /// Every user, role or group name of the account.
    pub async fn list(&self, kind: Kind) -> Result<Vec<String>, CallError> {
        let iam = &self.iam;
        let who = "account";
        Ok(match kind {
            Kind::User => all_pages!(self, who, "iam:ListUsers", iam.list_users(), users)
                .iter()
                .map(|u| u.user_name().to_string())
                .collect(),
            Kind::Role => all_pages!(self, who, "iam:ListRoles", iam.list_roles(), roles)
                .iter()
                .map(|r| r.role_name().to_string())
                .collect(),
            Kind::Group => all_pages!(self, who, "iam:ListGroups", iam.list_groups(), groups)
                .iter()
                .map(|g| g.group_name().to_string())
                .collect(),
        })
    }

    /// The principal's ARN and permissions boundary ARN.
    async fn head(&self, kind: Kind, name: &str) -> Result<(String, Option<String>), CallError> {
        let who = &format!("{kind}/{name}");
        let iam = &self.iam;
        // A boundary without an ARN caps the principal in an unknown way: an error.
        let boundary = |call: &str, b: Option<&aws_sdk_iam::types::AttachedPermissionsBoundary>| {
            b.map(|b| {
                b.permissions_boundary_arn()
                    .map(str::to_string)
                    .ok_or_else(|| {
                        CallError::new(
                            who,
                            call,
                            None,
                            "the permissions boundary has no ARN in the response",
                        )
                    })
            })
            .transpose()
        };
        match kind {
            Kind::User => {
                let out = self
                    .call(who, "iam:GetUser", iam.get_user().user_name(name).send())
                    .await?;
                let u = out.user().ok_or_else(|| {
                    CallError::new(who, "iam:GetUser", None, "the response holds no user")
                })?;
                Ok((
                    u.arn().to_string(),
                    boundary("iam:GetUser", u.permissions_boundary())?,
                ))
            }
            Kind::Role => {
                let out = self
                    .call(who, "iam:GetRole", iam.get_role().role_name(name).send())
                    .await?;
                let r = out.role().ok_or_else(|| {
                    CallError::new(who, "iam:GetRole", None, "the response holds no role")
                })?;
                Ok((
                    r.arn().to_string(),
                    boundary("iam:GetRole", r.permissions_boundary())?,
                ))
            }
            Kind::Group => {
                let out = self
                    .call(
                        who,
                        "iam:GetGroup",
                        iam.get_group().group_name(name).max_items(1).send(),
                    )
                    .await?;
                let g = out.group().ok_or_else(|| {
                    CallError::new(who, "iam:GetGroup", None, "the response holds no group")
                })?;
                Ok((g.arn().to_string(), None))
            }
        }
    }

    /// Names of the principal's inline policies.
    async fn inline_names(&self, kind: Kind, name: &str) -> Result<Vec<String>, CallError> {
        let who = &format!("{kind}/{name}");
        let iam = &self.iam;
        Ok(match kind {
            Kind::User => all_pages!(
                self,
                who,
                "iam:ListUserPolicies",
                iam.list_user_policies().user_name(name),
                policy_names
            ),
            Kind::Role => all_pages!(
                self,
                who,
                "iam:ListRolePolicies",
                iam.list_role_policies().role_name(name),
                policy_names
            ),
            Kind::Group => all_pages!(
                self,
                who,
                "iam:ListGroupPolicies",
                iam.list_group_policies().group_name(name),
                policy_names
            ),
        })
    }

    /// One inline policy.
    async fn inline_doc(&self, kind: Kind, name: &str, policy: &str) -> Result<Fetched, CallError> {
        let who = &format!("{kind}/{name}");
        let iam = &self.iam;
        let doc = match kind {
            Kind::User => {
                self.call(
                    who,
                    "iam:GetUserPolicy",
                    iam.get_user_policy()
                        .user_name(name)
                        .policy_name(policy)
                        .send(),
                )
                .await?
                .policy_document
            }
            Kind::Role => {
                self.call(
                    who,
                    "iam:GetRolePolicy",
                    iam.get_role_policy()
                        .role_name(name)
                        .policy_name(policy)
                        .send(),
                )
                .await?
                .policy_document
            }
            Kind::Group => {
                self.call(
                    who,
                    "iam:GetGroupPolicy",
                    iam.get_group_policy()
                        .group_name(name)
                        .policy_name(policy)
                        .send(),
                )
                .await?
                .policy_document
            }
        };
        let call = match kind {
            Kind::User => "iam:GetUserPolicy",
            Kind::Role => "iam:GetRolePolicy",
            Kind::Group => "iam:GetGroupPolicy",
        };
        let text = readable_document(who, call, &format!("inline policy `{policy}`"), &doc)?;
        Ok(Fetched {
            origin: format!("{who} inline \"{policy}\""),
            text,
        })
    }

    /// ARNs of the managed policies attached to the principal.
    async fn attached_arns(&self, kind: Kind, name: &str) -> Result<Vec<String>, CallError> {
        let who = &format!("{kind}/{name}");
        let iam = &self.iam;
        let list = match kind {
            Kind::User => all_pages!(
                self,
                who,
                "iam:ListAttachedUserPolicies",
                iam.list_attached_user_policies().user_name(name),
                attached_policies
            ),
            Kind::Role => all_pages!(
                self,
                who,
                "iam:ListAttachedRolePolicies",
                iam.list_attached_role_policies().role_name(name),
                attached_policies
            ),
            Kind::Group => all_pages!(
                self,
                who,
                "iam:ListAttachedGroupPolicies",
                iam.list_attached_group_policies().group_name(name),
                attached_policies
            ),
        };
        // An entry without an ARN is a policy that applies but cannot be read: an error,
        // never a silent gap.
        list.iter()
            .map(|a| {
                a.policy_arn().map(str::to_string).ok_or_else(|| {
                    CallError::new(
                        who,
                        match kind {
                            Kind::User => "iam:ListAttachedUserPolicies",
                            Kind::Role => "iam:ListAttachedRolePolicies",
                            Kind::Group => "iam:ListAttachedGroupPolicies",
                        },
                        None,
                        format!(
                            "an attached policy (`{}`) has no ARN in the response",
                            a.policy_name().unwrap_or_default()
                        ),
                    )
                })
            })
            .collect()
    }

    /// The default version of a managed policy, fetched once per run.
    pub async fn managed(&self, arn: &str, who: &str) -> Result<Fetched, CallError> {
        let cell = {
            let mut m = self.managed.lock().unwrap_or_else(PoisonError::into_inner);
            m.entry(arn.to_string()).or_default().clone()
        };
        cell.get_or_init(|| self.fetch_managed(arn, who))
            .await
            .clone()
    }

    async fn fetch_managed(&self, arn: &str, who: &str) -> Result<Fetched, CallError> {
        let iam = &self.iam;
        let out = self
            .call(
                who,
                "iam:GetPolicy",
                iam.get_policy().policy_arn(arn).send(),
            )
            .await?;
        let Some(version) = out.policy().and_then(|p| p.default_version_id()) else {
            return Err(CallError::new(
                who,
                "iam:GetPolicy",
                None,
                format!("`{arn}` has no default version in the response"),
            ));
        };
        let out = self
            .call(
                who,
                "iam:GetPolicyVersion",
                iam.get_policy_version()
                    .policy_arn(arn)
                    .version_id(version)
                    .send(),
            )
            .await?;
        let Some(doc) = out.policy_version().and_then(|v| v.document()) else {
            return Err(CallError::new(
                who,
                "iam:GetPolicyVersion",
                None,
                format!("`{arn}` version {version}: the response holds no document"),
            ));
        };
        let text = readable_document(
            who,
            "iam:GetPolicyVersion",
            &format!("`{arn}` version {version}"),
            doc,
        )?;
        Ok(Fetched {
            origin: arn.to_string(),
            text,
        })
    }

    /// Inline and attached policies of one principal (not its groups'), in listing order.
    async fn own_policies(&self, kind: Kind, name: &str) -> (Vec<Fetched>, Vec<CallError>) {
        let who = format!("{kind}/{name}");
        let inline = async {
            let names = self.inline_names(kind, name).await.map_err(|e| vec![e])?;
            let docs = join_all(names.iter().map(|p| self.inline_doc(kind, name, p))).await;
            Ok::<_, Vec<CallError>>(docs)
        };
        let attached = async {
            let arns = self.attached_arns(kind, name).await.map_err(|e| vec![e])?;
            let docs = join_all(arns.iter().map(|a| self.managed(a, &who))).await;
            Ok::<_, Vec<CallError>>(docs)
        };
        let (inline, attached) = tokio::join!(inline, attached);
        let mut policies = Vec::new();
        let mut errors = Vec::new();
        for part in [inline, attached] {
            match part {
                Ok(docs) => {
                    for d in docs {
                        match d {
                            Ok(f) => policies.push(f),
                            Err(e) => errors.push(e),
                        }
                    }
                }
                Err(es) => errors.extend(es),
            }
        }
        (policies, errors)
    }

    /// A user's groups.
    async fn groups_of(&self, user: &str) -> Result<Vec<String>, CallError> {
        let who = &format!("user/{user}");
        let iam = &self.iam;
        Ok(all_pages!(
            self,
            who,
            "iam:ListGroupsForUser",
            iam.list_groups_for_user().user_name(user),
            groups
        )
        .iter()
        .map(|g| g.group_name().to_string())
        .collect())
    }

    /// One principal with everything that applies to it. Every call that failed is in the
    /// errors; the principal is `None` when IAM did not even return the principal itself.
    pub async fn principal(&self, kind: Kind, name: &str) -> (Option<Principal>, Vec<CallError>) {
        let groups = async {
            if kind != Kind::User {
                return (Vec::new(), Vec::new());
            }
            let names = match self.groups_of(name).await {
                Ok(n) => n,
                Err(e) => return (Vec::new(), vec![e]),
            };
            let per_group = join_all(names.iter().map(|g| self.own_policies(Kind::Group, g))).await;
            let mut policies = Vec::new();
            let mut errors = Vec::new();
            for (p, e) in per_group {
                policies.extend(p);
                errors.extend(e);
            }
            (policies, errors)
        };
        let (head, own, groups) =
            tokio::join!(self.head(kind, name), self.own_policies(kind, name), groups);
        let mut errors = own.1;
        errors.extend(groups.1);
        let (arn, boundary_arn) = match head {
            Ok(h) => h,
            Err(e) => {
                // The principal itself could not be read: its other errors are noise.
                return (None, vec![e]);
            }
        };
        let mut boundary = None;
        if let Some(b) = boundary_arn {
            match self.managed(&b, &format!("{kind}/{name}")).await {
                Ok(mut f) => {
                    f.origin = format!("{} (permissions boundary)", f.origin);
                    boundary = Some(f);
                }
                Err(e) => errors.push(e),
            }
        }
        let mut policies = own.0;
        policies.extend(groups.0);
        (
            Some(Principal {
                kind,
                name: name.to_string(),
                arn,
                policies,
                boundary,
            }),
            errors,
        )
    }

    /// Several principals; a name `*` stands for every principal of its kind.
    pub async fn principals(&self, wanted: &[(Kind, String)]) -> (Vec<Principal>, Vec<CallError>) {
        let mut errors = Vec::new();
        let mut names: Vec<(Kind, String)> = Vec::new();
        for (kind, name) in wanted {
            if name == "*" {
                match self.list(*kind).await {
                    Ok(all) => names.extend(all.into_iter().map(|n| (*kind, n))),
                    Err(e) => errors.push(e),
                }
            } else if !names.iter().any(|(k, n)| k == kind && n == name) {
                names.push((*kind, name.clone()));
            }
        }
        let total = names.len();
        let done = AtomicUsize::new(0);
        let note = |d: usize| {
            if let Some(b) = &self.bar {
                b.set_message(format!("{d}/{total} principals read"));
            }
        };
        note(0);
        // A few principals at a time, each with its calls in parallel, so they finish (and
        // the progress moves) steadily rather than all at the end.
        let loaded: Vec<_> = futures_util::stream::iter(names.iter())
            .map(|(k, n)| async {
                let r = self.principal(*k, n).await;
                note(done.fetch_add(1, Ordering::Relaxed) + 1);
                r
            })
            .buffered(self.in_flight * 2)
            .collect()
            .await;
        let mut out = Vec::new();
        for (p, e) in loaded {
            out.extend(p);
            errors.extend(e);
        }
        (out, errors)
    }
}

/// A tokio runtime for one command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies() {
        let body = "<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>a &amp; b</Message></Error></Errors></ErrorResponse>";
        assert_eq!(xml_text(body, "Code").as_deref(), Some("AccessDenied"));
        assert_eq!(xml_text(body, "Message").as_deref(), Some("a & b"));
        assert_eq!(xml_text("<Code></Code>", "Code"), None);
        assert_eq!(xml_text("<Code>x", "Code"), None);
    }

    #[test]
    fn caller_arns() {
        assert_eq!(
            caller_principal("arn:aws:iam::123456789012:user/ops/ci-deployer"),
            Ok((Kind::User, "ci-deployer".into()))
        );
        assert_eq!(
            caller_principal("arn:aws:sts::123456789012:assumed-role/skypilot-v1/i-0abc"),
            Ok((Kind::Role, "skypilot-v1".into()))
        );
        assert!(caller_principal("arn:aws:iam::123456789012:root").is_err());
        assert!(caller_principal("arn:aws:sts::123456789012:federated-user/bob").is_err());
        assert!(caller_principal("nonsense").is_err());
    }

    #[test]
    fn documents_decode_both_ways() {
        let raw = r#"{"Version":"2012-10-17","Statement":[]}"#;
        assert_eq!(decode_document(raw).unwrap(), raw);
        assert_eq!(
            decode_document("%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D")
                .unwrap(),
            raw
        );
        // `+` is a literal plus (IAM names allow it), as the AWS CLI decodes.
        assert_eq!(
            decode_document("%7B%22a%2Bb%22%3A1%7D").unwrap(),
            r#"{"a+b":1}"#
        );
        assert_eq!(decode_document("%22role/a+b%22").unwrap(), "\"role/a+b\"");
        // A bad escape is an error, not a lossy guess.
        assert!(decode_document("%7B%2").is_err());
        assert!(readable_document("user/a", "iam:GetUserPolicy", "x", "null").is_err());
        assert!(readable_document("user/a", "iam:GetUserPolicy", "x", "%5B%5D").is_err());
    }

    #[test]
    fn guard_allows_reads_only() {
        assert!(guard::allowed("IAM", "GetRole"));
        assert!(guard::allowed("STS", "GetCallerIdentity"));
        assert!(!guard::allowed("IAM", "CreateUser"));
        assert!(!guard::allowed("IAM", "PutRolePolicy"));
        // AssumeRole changes nothing: it gives `--org` the credentials to read each account.
        assert!(guard::allowed("STS", "AssumeRole"));
        assert!(!guard::allowed("STS", "GetFederationToken"));
        assert!(guard::allowed("Organizations", "ListAccounts"));
        assert!(!guard::allowed("Organizations", "CreateAccount"));
        assert!(!guard::allowed("Organizations", "LeaveOrganization"));
    }
}
