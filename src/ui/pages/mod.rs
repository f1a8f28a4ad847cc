//! One module per page, named after its route.

mod appointments;
mod apps;
mod automations;
mod connections;
mod contact;
mod contacts;
mod dashboard;
mod events;
mod not_found;
mod report_controls;
mod reports;
mod settings;
mod signin;
mod sync;
mod tasks;

pub use appointments::AppointmentsPage;
pub use apps::{AppConnectionPage, AppsPage, MappingBuilderPage};
pub use automations::{
    AutomationBuilderPage, AutomationsPage, RecipesPage, RunHistoryPage, RunPage,
};
pub use connections::ConnectionsPage;
pub use contact::ContactPage;
pub use contacts::ContactsPage;
pub use dashboard::DashboardPage;
pub use events::EventsPage;
pub use not_found::NotFoundPage;
pub use reports::ReportsPage;
pub use settings::SettingsPage;
pub use signin::SignInPage;
pub use sync::SyncPage;
pub use tasks::TasksPage;
