//! `--simulate`: ask IAM's policy simulator (`SimulatePrincipalPolicy`) for the verdict on
//! each required (action, resource) pair and compare it with iamlint's own.

use super::{CallError, Loader, MAX_PAGES};

/// Actions per simulator call.
const CHUNK: usize = 100;

/// The simulator's verdict on one pair.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verdict {
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// `allowed`, `explicitDeny` or `implicitDeny`.
    pub decision: String,
}

impl Loader {
    /// Simulate `pairs` for the principal `arn`: one call per resource (the simulator takes
    /// a list of actions and resources; some endpoints read only the first resource).
    pub async fn simulate(
        &self,
        arn: &str,
        who: &str,
        pairs: &[(String, String)],
    ) -> Result<Vec<Verdict>, CallError> {
        let op = "iam:SimulatePrincipalPolicy";
        let mut by_resource: Vec<(&str, Vec<String>)> = Vec::new();
        for (a, r) in pairs {
            match by_resource.iter_mut().find(|(x, _)| x == r) {
                Some((_, acts)) => acts.push(a.clone()),
                None => by_resource.push((r, vec![a.clone()])),
            }
        }
        let mut out = Vec::new();
        for (resource, actions) in &by_resource {
            for chunk in actions.chunks(CHUNK) {
                let mut marker: Option<String> = None;
                for pages in 1.. {
                    let page = self
                        .call(
                            who,
                            op,
                            self.iam
                                .simulate_principal_policy()
                                .policy_source_arn(arn)
                                .set_action_names(Some(chunk.to_vec()))
                                .resource_arns(*resource)
                                .set_marker(marker.clone())
                                .send(),
                        )
                        .await?;
                    for e in page.evaluation_results() {
                        out.push(Verdict {
                            action: e.eval_action_name().to_string(),
                            resource: e.eval_resource_name().unwrap_or(resource).to_string(),
                            decision: e.eval_decision().as_str().to_string(),
                        });
                    }
                    match page.marker() {
                        Some(m) if page.is_truncated() && pages < MAX_PAGES => {
                            marker = Some(m.to_string());
                        }
                        _ => break,
                    }
                }
            }
        }
        Ok(out)
    }
}
