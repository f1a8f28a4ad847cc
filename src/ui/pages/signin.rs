use leptos::prelude::*;

use crate::ui::components::PageHeader;
use crate::ui::icons::{Icon, IconSvg};

/// Plain words for each way a sign-in can fail (`?problem=` from the callback).
fn problem_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "refused" => "HighLevel did not give Switchboard access. Try again, and choose a location on HighLevel's page.",
        "expired" => "That sign-in link had expired or was opened in another browser. Please start again.",
        "exchange" => "HighLevel did not accept the sign-in. Check HIGHLEVEL_CLIENT_ID, HIGHLEVEL_CLIENT_SECRET and the redirect URL, then try again.",
        "incomplete" => "HighLevel signed you in but did not say which location and user you are. Sign in from a sub-account (location).",
        "storage" => "Switchboard could not save your sign-in. Please try again in a moment.",
        "pending" => "You are waiting for the owner's approval to join this team. Sign in again once they have let you in.",
        "removed" => "You were removed from this team; ask its owner to let you back in.",
        _ => return None,
    })
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = crate::ui::page_address::query();
    let problem = move || {
        query
            .read()
            .get("problem")
            .and_then(|code| problem_text(&code))
    };
    view! {
        <PageHeader title="Sign in" subtitle="Use your HighLevel account; there is no separate password." />
        <section class="card signin-card">
            <div class="coming-soon-icon">
                <IconSvg icon=Icon::Connections />
            </div>
            <h2>"Sign in with HighLevel"</h2>
            <p class="muted">
                "You will choose your location on HighLevel's page and come straight back. The first person of a location becomes its owner; colleagues who sign in later join as its owner chose (as viewers unless they changed it)."
            </p>
            {move || problem().map(|text| view! { <p class="form-error" role="alert" data-testid="signin-problem">{text}</p> })}
            <form method="get" action="/auth/login" class="signin-form">
                <label class="checkbox">
                    <input type="checkbox" name="write" value="1" />
                    <span>"Let Switchboard make changes in HighLevel (tags, tasks, notes, contacts)"</span>
                </label>
                <button type="submit" class="button">
                    "Sign in with HighLevel"
                </button>
            </form>
        </section>
    }
}
