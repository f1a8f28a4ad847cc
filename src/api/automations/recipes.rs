//! The ready-made automations of the apps a team connects: the gallery and
//! applying one to a connection.

use std::collections::BTreeMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::Choice;
use crate::api::apps::AppTile;
use crate::app_error::AppError;

/// One recipe as the gallery shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecipeCard {
    pub key: String,
    /// The app's key, name and logo tile.
    pub tile: AppTile,
    pub title: String,
    pub does: String,
    pub idea: bool,
    pub inputs: Vec<RecipeInputCard>,
    /// The automations applying it makes, by name.
    pub makes: Vec<String>,
    /// For an app that pulls: the read API request, after the API's base.
    pub read_path: Option<String>,
    pub configure: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecipeInputCard {
    pub key: String,
    pub label: String,
    pub default: String,
    pub help: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecipeGallery {
    pub recipes: Vec<RecipeCard>,
    /// The team's connections: `(app key, connection)`.
    pub connections: Vec<(String, Choice)>,
    pub can_change: bool,
    /// Where the read API answers, `https://…/apps/api/v1`.
    pub read_api: String,
}

/// What applying a recipe made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Applied {
    /// The automations made, off: `(id, name)`.
    pub automations: Vec<(i64, String)>,
    /// The read request to give the app, in full.
    pub read_request: Option<String>,
}

#[server(endpoint = "automations/recipes", output = crate::api::codec::JsonText)]
pub async fn recipe_gallery_data() -> Result<RecipeGallery, AppError> {
    use crate::auth::roles::Role;
    let (state, caller) = crate::api::guard::require(Role::Viewer).await?;
    server::page(&state, &caller).await
}

/// Makes a recipe's automations on one of the team's connections of its
/// app, off until they are tested and turned on (owners and admins). A
/// problem names its field: `connection`, an input's key, or `recipe`.
#[server(endpoint = "automations/recipes/apply", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonText)]
pub async fn apply_recipe(
    key: String,
    connection_id: i64,
    inputs: BTreeMap<String, String>,
) -> Result<Applied, AppError> {
    use crate::auth::roles::Role;
    let (state, caller) = crate::api::guard::require(Role::Admin).await?;
    server::apply(&state, &caller, &key, connection_id, &inputs).await
}

#[cfg(feature = "ssr")]
pub(super) mod server {
    use std::collections::BTreeMap;

    use super::{AppTile, Applied, RecipeCard, RecipeGallery, RecipeInputCard};
    use crate::api::automations::Choice;
    use crate::app_error::{AppError, FieldProblem};
    use crate::apps::connections::store::{self as connections, Connection};
    use crate::apps::mapping::in_force::in_force;
    use crate::apps::mapping::store::{self as mappings, Direction, Of};
    use crate::apps::mapping::{location, FieldRule, IdentifyBy, WriteMode};
    use crate::automations::form::AutomationForm;
    use crate::automations::recipes::{self, Chosen, Makes, MappingTweaks, Recipe};
    use crate::automations::store;
    use crate::caller::Caller;
    use crate::state::AppState;

    pub async fn page(state: &AppState, caller: &Caller) -> Result<RecipeGallery, AppError> {
        let connections = connections::of_team(&state.db, &caller.who.location_id)
            .await?
            .into_iter()
            .map(|c| {
                let choice = Choice {
                    value: c.id.to_string(),
                    label: c.name,
                };
                (c.app, choice)
            })
            .collect();
        Ok(RecipeGallery {
            recipes: recipes::all().iter().map(card).collect(),
            connections,
            can_change: caller.role().can_manage(),
            read_api: read_api_base(state),
        })
    }

    fn read_api_base(state: &AppState) -> String {
        format!(
            "{}/apps/api/v1",
            crate::config::origin_of(&state.highlevel.redirect_uri)
        )
    }

    fn card(recipe: &Recipe) -> RecipeCard {
        let no_inputs = BTreeMap::new();
        let chosen = Chosen {
            connection_id: 0,
            inputs: &no_inputs,
            recipe,
        };
        let (makes, read_path, configure) = match &recipe.makes {
            Makes::Automations(build) => (
                build(&chosen).into_iter().map(|plan| plan.name).collect(),
                None,
                None,
            ),
            Makes::ReadRequest(read) => (
                Vec::new(),
                Some(read.path.to_owned()),
                Some(read.configure.to_owned()),
            ),
        };
        RecipeCard {
            key: recipe.key.into(),
            tile: AppTile {
                key: recipe.app.key().into(),
                name: recipe.app.name().into(),
                initial: recipe.app.initial().to_string(),
                colour: recipe.app.colour().into(),
            },
            title: recipe.title.into(),
            does: recipe.does.into(),
            idea: recipe.idea,
            inputs: recipe
                .inputs
                .iter()
                .map(|input| RecipeInputCard {
                    key: input.key.into(),
                    label: input.label.into(),
                    default: input.default.into(),
                    help: input.help.into(),
                })
                .collect(),
            makes,
            read_path,
            configure,
        }
    }

    fn invalid(field: &str, message: String) -> AppError {
        AppError::Invalid(FieldProblem::new(field, &message))
    }

    pub async fn apply(
        state: &AppState,
        caller: &Caller,
        key: &str,
        connection_id: i64,
        inputs: &BTreeMap<String, String>,
    ) -> Result<Applied, AppError> {
        let recipe = recipes::find(key)
            .ok_or_else(|| AppError::NotFound("There is no such ready-made automation.".into()))?;
        let location_id = &caller.who.location_id;
        let connection = connections::of_team_by_id(&state.db, location_id, connection_id)
            .await?
            .filter(|connection| connection.app == recipe.app.key())
            .ok_or_else(|| {
                invalid(
                    "connection",
                    format!("Choose one of your {} connections.", recipe.app.name()),
                )
            })?;
        for input in &recipe.inputs {
            let value = inputs.get(input.key).map(String::as_str).unwrap_or("");
            if let Some(problem) = input.problem(value) {
                return Err(invalid(input.key, problem.into()));
            }
        }
        let build = match &recipe.makes {
            Makes::ReadRequest(read) => {
                return Ok(Applied {
                    automations: Vec::new(),
                    read_request: Some(format!("{}{}", read_api_base(state), read.path)),
                })
            }
            Makes::Automations(build) => build,
        };
        let chosen = Chosen {
            connection_id: connection.id,
            inputs,
            recipe: &recipe,
        };
        // Every automation is checked as a save would check it before any is
        // made, so a recipe the team cannot run makes nothing.
        let mut checked = Vec::new();
        for plan in build(&chosen) {
            let form = AutomationForm::of(&plan.name, &plan.definition);
            match super::super::server::checked(state, caller, 0, &form).await? {
                Ok(definition) => checked.push((plan.name, definition)),
                Err(problems) => {
                    let first = problems
                        .first()
                        .map(|p| p.message.clone())
                        .unwrap_or_default();
                    return Err(invalid("recipe", format!("{}: {first}", plan.name)));
                }
            }
        }
        if let Some(tweaks) = &recipe.tweaks {
            let id_field = inputs
                .get(tweaks.id_input)
                .map(|value| value.trim())
                .unwrap_or("");
            tweak_mappings(state, caller, &connection, tweaks, id_field).await?;
        }
        let mut made = Vec::new();
        for (name, definition) in checked {
            let id = store::create(
                &state.db,
                location_id,
                &name,
                &definition,
                caller.who.user_id,
            )
            .await?;
            tracing::info!(
                automation = id,
                recipe = recipe.key,
                "automation made from a recipe"
            );
            made.push((id, name));
        }
        Ok(Applied {
            automations: made,
            read_request: None,
        })
    }

    /// Saves a new version of the connection's mappings of `tweaks.events`
    /// with the extra tags and, when `id_field` names a custom field (its
    /// name or key), the app's id kept there and contacts found by it.
    async fn tweak_mappings(
        state: &AppState,
        caller: &Caller,
        connection: &Connection,
        tweaks: &MappingTweaks,
        id_field: &str,
    ) -> Result<(), AppError> {
        let kept_in = match id_field {
            "" => None,
            wanted => Some(custom_field_key(state, caller, tweaks, wanted).await?),
        };
        for event in tweaks.events {
            let of = Of {
                connection_id: connection.id,
                direction: Direction::Receive,
                subject: event,
            };
            let mut saved = in_force(&state.db, connection, of).await?.ok_or_else(|| {
                AppError::NotFound("The connection has no mapping for this event.".into())
            })?;
            let rules = &mut saved.mapping.rules;
            match rules.iter_mut().find(|rule| rule.target == "contact.tags") {
                Some(tags) => {
                    tags.expression = format!("{},{}", tags.expression, tweaks.extra_tags)
                }
                None => rules.push(FieldRule {
                    target: "contact.tags".into(),
                    expression: tweaks.extra_tags.into(),
                    mode: WriteMode::Append,
                }),
            }
            if let Some(short) = &kept_in {
                let target = format!("contact.customField.{short}");
                rules.retain(|rule| rule.target != target);
                rules.push(FieldRule {
                    target,
                    expression: tweaks.id.into(),
                    mode: WriteMode::Overwrite,
                });
                saved.mapping.identify_by = IdentifyBy::ExternalId {
                    custom_field: short.clone(),
                };
            }
            mappings::save(&state.db, of, &saved, caller.who.user_id).await?;
        }
        Ok(())
    }

    /// The key, without `contact.`, of the location's custom field named
    /// `wanted` (by its name or its key).
    async fn custom_field_key(
        state: &AppState,
        caller: &Caller,
        tweaks: &MappingTweaks,
        wanted: &str,
    ) -> Result<String, AppError> {
        let team = crate::api::guard::team(state, caller)?;
        let details = location::details(&state.db, &team.client, &team.location_id, false).await?;
        let short_of = |key: &str| key.trim_start_matches("contact.").to_owned();
        details
            .custom_fields
            .iter()
            .find(|field| field.name.eq_ignore_ascii_case(wanted) || short_of(&field.key) == short_of(wanted))
            .map(|field| short_of(&field.key))
            .ok_or_else(|| {
                invalid(
                    tweaks.id_input,
                    format!(
                        "Your HighLevel location has no custom field \u{201c}{wanted}\u{201d}: create it in HighLevel, or leave this empty to find contacts by e-mail."
                    ),
                )
            })
    }
}
