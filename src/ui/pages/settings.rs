use leptos::prelude::*;

use leptos::form::ActionForm;

use crate::api::system::{get_installation_facts, InstallationFacts};
use crate::api::team::{get_team, SetRole, Team, TeamMember};
use crate::auth::roles::Role;
use crate::ui::components::PageHeader;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let status = Resource::new(|| (), |_| get_installation_facts());
    view! {
        <PageHeader title="Settings" subtitle="Your team, and how this Switchboard installation is set up." />
        <TeamCard />
        <section class="card">
            <h2 class="card-title">"This installation"</h2>
            <Suspense fallback=|| {
                view! { <p class="muted loading">"Loading…"</p> }
            }>
                {move || Suspend::new(async move {
                    status.await.map(|status| view! { <FactsList facts=status /> })
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn FactsList(facts: InstallationFacts) -> impl IntoView {
    let database = if facts.embedded_database {
        "Built-in (started by Switchboard in its data folder)"
    } else {
        "Your own Postgres (DATABASE_URL)"
    };
    view! {
        <dl class="facts" data-testid="system-status">
            <dt>"Version"</dt>
            <dd>{facts.version}</dd>
            <dt>"Database"</dt>
            <dd>{database}</dd>
            <dt>"Running since"</dt>
            <dd>{facts.installed_at}</dd>
            <dt>"Server starts"</dt>
            <dd data-testid="server-starts">{facts.server_starts}</dd>
        </dl>
    }
}

#[component]
fn TeamCard() -> impl IntoView {
    let set_role = ServerAction::<SetRole>::new();
    let team = Resource::new(move || set_role.version().get(), |_| get_team());
    let problem = move || match set_role.value().get() {
        Some(Err(error)) => Some(error.to_string()),
        _ => None,
    };
    view! {
        <section class="card">
            <h2 class="card-title">"Team"</h2>
            {move || problem().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            <Suspense fallback=|| view! { <p class="muted loading">"Loading your team…"</p> }>
                {move || Suspend::new(async move {
                    match team.await {
                        Ok(team) => view! { <TeamTable team set_role /> }.into_any(),
                        Err(_) => view! {
                            <p class="muted">"Sign in to see the people of your team and their roles."</p>
                        }
                            .into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn TeamTable(team: Team, set_role: ServerAction<SetRole>) -> impl IntoView {
    let can_change = team.can_change_roles;
    view! {
        <table class="table" data-testid="team">
            <thead>
                <tr>
                    <th>"Name"</th>
                    <th>"Email"</th>
                    <th>"Role"</th>
                </tr>
            </thead>
            <tbody>
                {team
                    .members
                    .into_iter()
                    .map(|member| view! { <MemberRow member can_change set_role /> })
                    .collect_view()}
            </tbody>
        </table>
        <p class="muted small">
            "Owners and admins manage connections; members work contacts, tasks and appointments; viewers only look."
        </p>
    }
}

#[component]
fn MemberRow(
    member: TeamMember,
    can_change: bool,
    set_role: ServerAction<SetRole>,
) -> impl IntoView {
    let editable = can_change && !member.is_you && member.role != Role::Owner;
    let name = if member.is_you {
        format!("{} (you)", member.name)
    } else {
        member.name.clone()
    };
    let role_cell = if editable {
        view! {
            <ActionForm action=set_role attr:class="role-form">
                <input type="hidden" name="user_id" value=member.user_id />
                <select name="role" aria-label=format!("Role of {}", member.name)>
                    {Role::ASSIGNABLE
                        .into_iter()
                        .map(|role| view! { <option value=role.key() selected=role == member.role>{role.label()}</option> })
                        .collect_view()}
                </select>
                <button type="submit" class="button button-secondary button-small">"Save"</button>
            </ActionForm>
        }
            .into_any()
    } else {
        view! { <span>{member.role.label()}</span> }.into_any()
    };
    view! {
        <tr>
            <td>{name}</td>
            <td class="muted">{member.email}</td>
            <td>{role_cell}</td>
        </tr>
    }
}
