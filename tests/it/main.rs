//! Every integration test in one binary (issue 15): `common` and the support modules compile once,
//! and the tests share one pool of threads. Each module was one test binary before.
#![allow(clippy::unwrap_used)] // tests and their helpers may unwrap: a failure is the test failing

mod common;
#[path = "../../benches/fixture/drive.rs"]
mod drive;
#[path = "../../benches/fixture/history.rs"]
mod history;
#[path = "support/paper_form.rs"]
mod paper_form;
#[path = "support/pty.rs"]
mod pty;
#[path = "support/server.rs"]
mod server;

mod app;
mod app_close;
mod authority;
mod backup_stream;
mod bank;
mod bank_camt08;
mod bank_returns;
mod clerk_screen;
mod cli;
mod cli_hours;
mod cli_invoice;
mod cli_log;
mod cli_payments;
mod close;
mod close_screen_money;
mod corrections;
mod crash;
mod due_dates;
mod e2e_ssh;
mod e2e_tmux;
mod envelope;
mod envelope_batch;
mod escape_sequences;
mod exec;
mod fields;
mod files;
mod gen_large;
mod hardening;
mod hours_cell;
mod hours_paths;
mod keys;
mod load_ssh;
mod local_screen;
mod log_render;
mod logbook;
mod logbook_screens;
mod mail;
mod mail_attempt;
mod mail_once;
mod mail_screen;
mod milestones;
mod money_edges;
mod money_model;
mod money_properties;
mod municipalities;
mod municipality_list;
mod office;
mod pain001;
mod payment_timing;
mod report_signals;
mod report_year;
mod restore_kill;
mod screens;
mod serve_hardening;
mod served_scope;
mod served_screen;
mod sftp;
mod shares;
mod signal_cache;
mod signal_facts;
mod signals_pane;
mod statement;
mod store;
mod table_fuzz;
mod users;
mod year_screen;
