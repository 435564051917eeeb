//! Every way the app state changes: key bindings and runners produce these, `App::handle` applies them.

use super::key::Key;
use super::pane::Pane;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Quit (asks first when an entry is half-typed).
    Quit,
    ShowPane(Pane),
    NextPane,
    PreviousPane,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    /// Open the selected item: detail, jump, or the lines of a cell.
    Open,
    /// Leave the detail or close what is open.
    Back,
    StartFilter,
    StartCommand,
    ToggleHelp,
    CycleSort,
    /// Create a new item of the pane's main kind (network, agreement, tariff year).
    New,
    /// Edit the selected item.
    Edit,
    NewPractice,
    NewIonCount,
    EditShares,
    NewPartner,
    NewParticipant,
    EditCoreTeam,
    /// The milestones screen of the selected network.
    ShowMilestones,
    MarkSent,
    MarkSigned,
    EndAgreement,
    PreviousQuarter,
    NextQuarter,
    PickNetwork,
    /// Start editing the selected hours cell with this character typed.
    StartCellEdit(char),
    /// Fill the selected cell with the previous month's hours of that partner.
    CopyPreviousMonth,
    /// The selected cell's lines, also of a cell with one line or none (to add another line).
    ShowLines,
    NewInvoice,
    /// The selected partner's invoices of the quarter.
    ShowInvoices,
    ApproveInvoice,
    RejectInvoice,
    /// Set the S1 rate of the Gemeenten pane's year (admin).
    EditS1Rate,
    /// Add a municipality to the list (Gemeenten pane, admin).
    AddMunicipality,
    /// Record a merger of municipalities (Gemeenten pane, admin).
    MergeMunicipalities,
    /// Open the quarter close screen.
    CloseQuarter,
    /// Write the payment files of a closed quarter.
    ExportPayments,
    ReopenQuarter,
    Undo,
    /// Save what is typed (a cell: and move down; a form; a command; a filter).
    Save,
    /// A form's next / previous field.
    NextField,
    PreviousField,
    /// The grid's next / previous cell, across the end of a row (a typed cell is saved first).
    NextCell,
    PreviousCell,
    /// The grid's first / last month of the row.
    RowStart,
    RowEnd,
    /// The grid's first / last partner.
    FirstRow,
    LastRow,
    /// A correction line on a closed quarter (the lines of a cell).
    Correct,
    /// The close screen: the whole region or this network.
    ToggleRegion,
    /// Write the shown report as a file (the year report's xlsx).
    Export,
    /// Kwartaalbudget: the shown network's quarter statement by e-mail to its kartrekker.
    MailStatement,
    /// Delete the selected item (asks first).
    Delete,
    /// A key typed while a text field, popup or editor has the keyboard.
    Input(Key),
    /// Welcome screen: load the demo data.
    LoadDemo,
    /// Welcome screen: start with an empty database.
    StartEmpty,
    /// The screen is this big now (columns, rows).
    Resize(u16, u16),
    /// Something may have changed in the store: reload what is shown.
    Refresh,
}
