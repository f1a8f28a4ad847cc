use leptos::prelude::*;

use leptos::form::ActionForm;

use crate::api::system::{get_installation_facts, InstallationFacts};
use crate::api::team::{
    get_team, Approve, LetBackIn, Outsider, Refuse, RemoveMember, SetJoinAs, SetRole, Team,
    TeamMember,
};
use crate::app_error::AppError;
use crate::auth::joining::JoinPolicy;
use crate::auth::roles::Role;
use crate::ui::components::PageHeader;

#[island(lazy)]
pub fn SettingsPage() -> impl IntoView {
    crate::ui::island::island_ready();
    let status = Resource::new(|| (), |_| get_installation_facts());
    let actions = TeamActions::new();
    let team = Resource::new(move || actions.version(), |_| get_team());
    view! {
        <PageHeader title="Settings" subtitle="Your team, and how this Switchboard installation is set up." />
        <TeamCard team actions />
        <Suspense>
            {move || Suspend::new(async move {
                team.await.ok().map(|team| view! { <OutsiderCards team actions /> })
            })}
        </Suspense>
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

/// Every change the team cards make; the team is read again after each.
#[derive(Clone, Copy)]
struct TeamActions {
    set_role: ServerAction<SetRole>,
    remove: ServerAction<RemoveMember>,
    let_back_in: ServerAction<LetBackIn>,
    approve: ServerAction<Approve>,
    refuse: ServerAction<Refuse>,
    join_as: ServerAction<SetJoinAs>,
}

impl TeamActions {
    fn new() -> Self {
        Self {
            set_role: ServerAction::new(),
            remove: ServerAction::new(),
            let_back_in: ServerAction::new(),
            approve: ServerAction::new(),
            refuse: ServerAction::new(),
            join_as: ServerAction::new(),
        }
    }

    fn version(self) -> usize {
        self.set_role.version().get()
            + self.remove.version().get()
            + self.let_back_in.version().get()
            + self.approve.version().get()
            + self.refuse.version().get()
            + self.join_as.version().get()
    }

    /// What the server refused, if it did.
    fn problem(self) -> Option<String> {
        fn refused<T>(result: Option<Result<T, AppError>>) -> Option<String> {
            result
                .and_then(|result| result.err())
                .map(|error| error.to_string())
        }
        refused(self.set_role.value().get())
            .or_else(|| refused(self.remove.value().get()))
            .or_else(|| refused(self.let_back_in.value().get()))
            .or_else(|| refused(self.approve.value().get()))
            .or_else(|| refused(self.refuse.value().get()))
            .or_else(|| refused(self.join_as.value().get()))
    }
}

#[component]
fn TeamCard(team: Resource<Result<Team, AppError>>, actions: TeamActions) -> impl IntoView {
    view! {
        <section class="card">
            <h2 class="card-title">"Team"</h2>
            {move || actions.problem().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            <Suspense fallback=|| view! { <p class="muted loading">"Loading your team…"</p> }>
                {move || Suspend::new(async move {
                    match team.await {
                        Ok(team) => view! { <TeamTable team actions /> }.into_any(),
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
fn TeamTable(team: Team, actions: TeamActions) -> impl IntoView {
    let can_change = team.can_change_roles;
    view! {
        <table class="table" data-testid="team">
            <thead>
                <tr>
                    <th>"Name"</th>
                    <th>"Email"</th>
                    <th>"Role"</th>
                    {can_change.then(|| view! { <th></th> })}
                </tr>
            </thead>
            <tbody>
                {team
                    .members
                    .into_iter()
                    .map(|member| view! { <MemberRow member can_change actions /> })
                    .collect_view()}
            </tbody>
        </table>
        <JoinAs join_as=team.join_as can_change action=actions.join_as />
        <p class="muted small">
            "Owners and admins manage connections; members work contacts, tasks and appointments; viewers only look. Removing someone signs them out at once."
        </p>
    }
}

/// People waiting for approval and people removed, each in a card of their
/// own when there are any; shown to owners and admins.
#[component]
fn OutsiderCards(team: Team, actions: TeamActions) -> impl IntoView {
    let can_change = team.can_change_roles;
    let waiting = (team.can_approve && !team.waiting.is_empty()).then(|| {
        view! {
            <section class="card">
                <h2 class="card-title">"Waiting for approval"</h2>
                <table class="table" data-testid="team-waiting">
                    <OutsiderHead />
                    <tbody>
                        {team
                            .waiting
                            .into_iter()
                            .map(|person| view! { <WaitingRow person actions /> })
                            .collect_view()}
                    </tbody>
                </table>
                <p class="muted small">"They signed in with HighLevel and see that they are waiting for you. Approved people join as viewers."</p>
            </section>
        }
    });
    let removed = (team.can_approve && !team.removed.is_empty()).then(|| {
        view! {
            <section class="card">
                <h2 class="card-title">"Removed"</h2>
                <table class="table" data-testid="team-removed">
                    <OutsiderHead />
                    <tbody>
                        {team
                            .removed
                            .into_iter()
                            .map(|person| view! { <RemovedRow person can_change action=actions.let_back_in /> })
                            .collect_view()}
                    </tbody>
                </table>
                <p class="muted small">"Signing in with HighLevel does not bring them back; the owner lets them back in with the role they had."</p>
            </section>
        }
    });
    view! {
        {waiting}
        {removed}
    }
}

#[component]
fn MemberRow(member: TeamMember, can_change: bool, actions: TeamActions) -> impl IntoView {
    let editable = can_change && !member.is_you && member.role != Role::Owner;
    let name = if member.is_you {
        format!("{} (you)", member.name)
    } else {
        member.name.clone()
    };
    // Owners see a column of Remove buttons, empty on their own row.
    let remove_cell = can_change.then(|| {
        let button = editable.then(|| person_button(member.user_id, "Remove", &member.name));
        view! {
            <td>{button.map(|button| view! { <ActionForm action=actions.remove>{button}</ActionForm> })}</td>
        }
    });
    let role_cell = if editable {
        view! {
            <ActionForm action=actions.set_role attr:class="role-form">
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
            {remove_cell}
        </tr>
    }
}

/// Owners choose how new HighLevel users of the location join; others see it.
#[component]
fn JoinAs(join_as: JoinPolicy, can_change: bool, action: ServerAction<SetJoinAs>) -> impl IntoView {
    if !can_change {
        return view! {
            <p class="muted small">{join_as.sentence()}</p>
        }
        .into_any();
    }
    view! {
        <ActionForm action attr:class="role-form small">
            <label for="join-as">"New people from HighLevel join as"</label>
            <select id="join-as" name="join_as">
                {JoinPolicy::ALL
                    .into_iter()
                    .map(|policy| view! { <option value=policy.key() selected=policy == join_as>{policy.label()}</option> })
                    .collect_view()}
            </select>
            <button type="submit" class="button button-secondary button-small">"Save"</button>
        </ActionForm>
    }
        .into_any()
}

#[component]
fn OutsiderHead() -> impl IntoView {
    view! {
        <thead>
            <tr>
                <th>"Name"</th>
                <th>"Email"</th>
                <th>"Since"</th>
                <th></th>
            </tr>
        </thead>
    }
}

#[component]
fn WaitingRow(person: Outsider, actions: TeamActions) -> impl IntoView {
    let approve = person_button(person.user_id, "Approve", &person.name);
    let refuse = person_button(person.user_id, "Refuse", &person.name);
    view! {
        <tr>
            <td>{person.name}</td>
            <td class="muted">{person.email}</td>
            <td class="muted">{person.since}</td>
            <td>
                <div class="role-form">
                    <ActionForm action=actions.approve>{approve}</ActionForm>
                    <ActionForm action=actions.refuse>{refuse}</ActionForm>
                </div>
            </td>
        </tr>
    }
}

/// Only the owner lets a removed person back in; admins see who was removed.
#[component]
fn RemovedRow(
    person: Outsider,
    can_change: bool,
    action: ServerAction<LetBackIn>,
) -> impl IntoView {
    let let_in = can_change.then(|| person_button(person.user_id, "Let back in", &person.name));
    view! {
        <tr>
            <td>{person.name}</td>
            <td class="muted">{person.email}</td>
            <td class="muted">{person.since}</td>
            <td>{let_in.map(|button| view! { <ActionForm action>{button}</ActionForm> })}</td>
        </tr>
    }
}

/// The inside of a one-button form acting on one person; the button is
/// named with the person for screen readers.
fn person_button(user_id: i64, label: &'static str, name: &str) -> impl IntoView {
    view! {
        <input type="hidden" name="user_id" value=user_id />
        <button type="submit" class="button button-secondary button-small" aria-label=format!("{label} {name}")>
            {label}
        </button>
    }
}
