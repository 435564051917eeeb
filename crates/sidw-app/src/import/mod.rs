//! Office data in: hours forms from Excel or CSV, checked row by row, imported all or nothing;
//! and the hours form template to send to coordinators.

pub mod bank;
pub mod hours;
pub mod practices;
pub mod table;
pub mod template;
