use std::collections::{BTreeMap, HashSet};

use super::{all, Chosen, Makes};
use crate::apps::templates::AppKind;
use crate::automations::form::AutomationForm;

#[test]
fn keys_are_unique_and_name_their_app() {
    let recipes = all();
    let keys: HashSet<&str> = recipes.iter().map(|recipe| recipe.key).collect();
    assert_eq!(keys.len(), recipes.len());
    for recipe in &recipes {
        assert!(
            recipe.key.starts_with(&format!("{}.", recipe.app.key())),
            "{}",
            recipe.key
        );
    }
}

#[test]
fn every_app_has_the_three_connections_of_its_guide() {
    for app in AppKind::ALL
        .into_iter()
        .filter(|app| *app != AppKind::Generic)
    {
        let main = all()
            .into_iter()
            .filter(|recipe| recipe.app == app && !recipe.idea)
            .count();
        assert_eq!(main, 3, "{}", app.name());
    }
}

/// What a recipe makes is an ordinary automation: the builder's form shows
/// it, and saving that form unchanged gives it back.
#[test]
fn every_automation_made_reads_back_from_the_builders_form() {
    let inputs = BTreeMap::new();
    for recipe in all() {
        let Makes::Automations(build) = &recipe.makes else {
            continue;
        };
        let chosen = Chosen {
            connection_id: 7,
            inputs: &inputs,
            recipe: &recipe,
        };
        let plans = build(&chosen);
        assert!(!plans.is_empty(), "{}", recipe.key);
        for plan in plans {
            let form = AutomationForm::of(&plan.name, &plan.definition);
            assert_eq!(
                form.definition(),
                Ok(plan.definition),
                "{}: {}",
                recipe.key,
                plan.name
            );
        }
    }
}

#[test]
fn an_input_left_empty_takes_its_default_and_a_wrong_time_is_refused() {
    let recipe = super::find("clubworx.daily_summary").unwrap();
    let inputs = BTreeMap::from([("at".to_owned(), " ".to_owned())]);
    let chosen = Chosen {
        connection_id: 1,
        inputs: &inputs,
        recipe: &recipe,
    };
    assert_eq!(chosen.value("at"), "18:00");
    let at = &recipe.inputs[0];
    assert_eq!(at.problem("25:00"), Some("A time of day such as 18:00."));
    assert_eq!(at.problem("07:30"), None);
    assert_eq!(at.problem(""), None);
}
