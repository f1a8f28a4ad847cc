//! One module per page, named after its route.

mod appointments;
mod automations;
mod connections;
mod contacts;
mod dashboard;
mod not_found;
mod report_controls;
mod reports;
mod settings;
mod signin;
mod tasks;

pub use appointments::AppointmentsPage;
pub use automations::AutomationsPage;
pub use connections::ConnectionsPage;
pub use contacts::ContactsPage;
pub use dashboard::DashboardPage;
pub use not_found::NotFoundPage;
pub use reports::ReportsPage;
pub use settings::SettingsPage;
pub use signin::SignInPage;
pub use tasks::TasksPage;
