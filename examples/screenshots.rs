//! Renders every pane of the real app on the demo data into SVG images for the README.
//!
//! Usage: `cargo run --example screenshots -- [OUT_DIR]` (default `screenshots`). The app is driven
//! through the real key table, exactly as a user types, and drawn with ratatui's `TestBackend`.
#![allow(clippy::unwrap_used)]

use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::{Buffer, Cell};
use ratatui::style::{Color, Modifier};
use ratatui::text::Span;
use sidw::app::{Action, App, Clock, Key, KeyCode};
use sidw::store::{ChangeContext, Store};
use sidw::ui::{self, Theme, keymap};

const WIDTH: u16 = 100;
const HEIGHT: u16 = 30;
const CELL_W: f32 = 9.6;
const CELL_H: f32 = 19.0;
const FONT: &str = "DejaVu Sans Mono, Menlo, Consolas, monospace";
const DEFAULT_BG: &str = "#1e1e1e";
const DEFAULT_FG: &str = "#d4d4d4";

fn main() -> Result<(), Box<dyn Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "screenshots".into()));
    std::fs::create_dir_all(&dir)?;
    let mut shots = Shooter { terminal: Terminal::new(TestBackend::new(WIDTH, HEIGHT))?, dir };
    let mut app = demo_app()?;

    press(&mut app, Key::char('1'));
    shots.take(&app, "1-netwerken")?;
    press(&mut app, Key::char('m'));
    shots.take(&app, "1-mijlpalen")?;
    press(&mut app, Key::new(KeyCode::Esc));
    press(&mut app, Key::char('2'));
    shots.take(&app, "2-overeenkomsten")?;
    press(&mut app, Key::char('3'));
    command(&mut app, "netwerk Zwolle-Zuid");
    command(&mut app, "kwartaal 2025-Q3");
    press(&mut app, Key::char('j'));
    shots.take(&app, "3-kwartaalbudget")?;
    shots.take_at(&app, "3-kwartaalbudget-80x24", 80, 24)?;
    shots.take_at(&app, "3-kwartaalbudget-120x40", 120, 40)?;
    type_text(&mut app, "1,5");
    shots.take(&app, "3-kwartaalbudget-invoer")?;
    shots.take_at(&app, "3-kwartaalbudget-invoer-40x12", 40, 12)?;
    press(&mut app, Key::new(KeyCode::Esc));
    press(&mut app, Key::new(KeyCode::F(4)));
    shots.take(&app, "4-signalen")?;
    press(&mut app, Key::new(KeyCode::F(5)));
    shots.take(&app, "5-tarieven")?;
    press(&mut app, Key::new(KeyCode::F(6)));
    shots.take(&app, "6-logboek")?;
    press(&mut app, Key::new(KeyCode::Enter));
    shots.take(&app, "6-logboek-regel")?;
    press(&mut app, Key::new(KeyCode::Esc));
    press(&mut app, Key::char('?'));
    shots.take(&app, "hulp")?;
    press(&mut app, Key::new(KeyCode::Esc));
    press(&mut app, Key::new(KeyCode::F(3)));
    command(&mut app, "netwerk Almere Haven");
    command(&mut app, "afsluiten 2025-Q1");
    shots.take(&app, "3-afsluiten-niet-klaar")?;
    press(&mut app, Key::new(KeyCode::Esc));
    command(&mut app, "netwerk Zwolle-Zuid");
    command(&mut app, "afsluiten 2025-Q1");
    shots.take(&app, "3-afsluiten-klaar")?;
    type_text(&mut app, "cja");
    shots.take(&app, "3-afsluiten-afgesloten")?;
    press(&mut app, Key::new(KeyCode::Esc));
    press(&mut app, Key::new(KeyCode::F(7)));
    shots.take(&app, "7-gemeenten")?;
    command(&mut app, "mail");
    shots.take(&app, "mail")?;
    press(&mut app, Key::char('n'));
    command(&mut app, "jaarverslag 2025");
    press(&mut app, Key::char('j'));
    press(&mut app, Key::char('j'));
    shots.take(&app, "jaarverslag")?;
    let empty = App::new(Store::temporary()?, "anna", sidw::app::system_clock());
    shots.take_at(&empty, "welkom", 80, 24)?;
    Ok(())
}

/// The app on a temporary store with the demo data, on a fixed day so the images do not change.
fn demo_app() -> Result<App, Box<dyn Error>> {
    let now = Utc.with_ymd_and_hms(2025, 10, 15, 10, 0, 0).unwrap();
    let store = Store::temporary()?;
    sidw::demo::load(&store, &ChangeContext::new("anna", now), NaiveDate::from_ymd_opt(2025, 10, 15).unwrap())?;
    let clock: Clock = Arc::new(move || now);
    let mut app = App::new(store, "anna", clock);
    app.handle(Action::Resize(WIDTH, HEIGHT));
    Ok(app)
}

/// One key press, through the real key table.
fn press(app: &mut App, key: Key) {
    if let Some(action) = keymap::action_for(app, key) {
        app.handle(action);
    }
}

/// Types a string, one key per character.
fn type_text(app: &mut App, text: &str) {
    Key::text(text).into_iter().for_each(|key| press(app, key));
}

/// Runs a `:` command, e.g. `netwerk Zwolle-Zuid`.
fn command(app: &mut App, text: &str) {
    press(app, Key::char(':'));
    type_text(app, text);
    press(app, Key::new(KeyCode::Enter));
}

/// Draws the app and writes the screen as `dir/NAME.svg`.
struct Shooter {
    terminal: Terminal<TestBackend>,
    dir: PathBuf,
}

impl Shooter {
    fn take(&mut self, app: &App, name: &str) -> Result<(), Box<dyn Error>> {
        self.terminal.draw(|f| ui::draw(f, app, &Theme::colored()))?;
        let path = self.dir.join(format!("{name}.svg"));
        std::fs::write(&path, to_svg(self.terminal.backend().buffer()))?;
        println!("{}", path.display());
        Ok(())
    }

    /// The same at another screen size.
    fn take_at(&mut self, app: &App, name: &str, width: u16, height: u16) -> Result<(), Box<dyn Error>> {
        let mut terminal = Terminal::new(TestBackend::new(width, height))?;
        terminal.draw(|f| ui::draw(f, app, &Theme::colored()))?;
        let path = self.dir.join(format!("{name}.svg"));
        std::fs::write(&path, to_svg(terminal.backend().buffer()))?;
        println!("{}", path.display());
        Ok(())
    }
}

/// How a cell looks once colours are resolved and reverse video is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Look {
    fg: String,
    bg: String,
    modifier: Modifier,
}

impl Look {
    fn of(cell: &Cell) -> Self {
        let fg = hex(cell.fg).unwrap_or_else(|| DEFAULT_FG.into());
        let bg = hex(cell.bg).unwrap_or_else(|| DEFAULT_BG.into());
        let (fg, bg) = if cell.modifier.contains(Modifier::REVERSED) { (bg, fg) } else { (fg, bg) };
        Self { fg, bg, modifier: cell.modifier }
    }

    /// The SVG attributes for text in this look.
    fn text_attributes(&self) -> String {
        let mut attrs = format!(r#"fill="{}""#, self.fg);
        for (modifier, attr) in [
            (Modifier::BOLD, r#" font-weight="bold""#),
            (Modifier::ITALIC, r#" font-style="italic""#),
            (Modifier::DIM, r#" opacity="0.6""#),
            (Modifier::UNDERLINED, r#" text-decoration="underline""#),
        ] {
            if self.modifier.contains(modifier) {
                attrs.push_str(attr);
            }
        }
        attrs
    }
}

/// A run of cells on one row with the same look.
struct Run {
    col: u16,
    cols: u16,
    text: String,
    look: Look,
}

/// Splits a row into runs of the same look, leaving out the cells hidden by a wide character.
fn runs(buffer: &Buffer, y: u16) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    let mut x = 0;
    while x < buffer.area.width {
        let cell = &buffer[(x, y)];
        let symbol = if cell.symbol().is_empty() { " " } else { cell.symbol() };
        let width = u16::try_from(Span::raw(symbol).width()).unwrap_or(1).max(1);
        let look = Look::of(cell);
        match runs.last_mut() {
            Some(run) if run.look == look => {
                run.text.push_str(symbol);
                run.cols += width;
            }
            _ => runs.push(Run { col: x, cols: width, text: symbol.to_string(), look }),
        }
        x += width;
    }
    runs
}

/// The screen as an SVG image: one rectangle per background run, one text per styled run.
fn to_svg(buffer: &Buffer) -> String {
    let (w, h) = (f32::from(buffer.area.width) * CELL_W, f32::from(buffer.area.height) * CELL_H);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" font-family="{FONT}" font-size="16">
<rect width="100%" height="100%" fill="{DEFAULT_BG}"/>
"#
    );
    for y in 0..buffer.area.height {
        let row = runs(buffer, y);
        let top = f32::from(y) * CELL_H;
        for run in row.iter().filter(|run| run.look.bg != DEFAULT_BG) {
            let (x, width) = (f32::from(run.col) * CELL_W, f32::from(run.cols) * CELL_W);
            let _ = writeln!(
                svg,
                r#"<rect x="{x:.1}" y="{top}" width="{width:.1}" height="{CELL_H}" fill="{}"/>"#,
                run.look.bg
            );
        }
        let baseline = top + CELL_H * 0.75;
        for run in row.iter().filter(|run| visible(run)) {
            let (x, width) = (f32::from(run.col) * CELL_W, f32::from(run.cols) * CELL_W);
            let _ = writeln!(
                svg,
                r#"<text x="{x:.1}" y="{baseline}" textLength="{width:.1}" xml:space="preserve" {}>{}</text>"#,
                run.look.text_attributes(),
                escape(&run.text)
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// Whether a run shows anything in the foreground: blanks only matter when underlined.
fn visible(run: &Run) -> bool {
    run.look.modifier.contains(Modifier::UNDERLINED) || !run.text.trim().is_empty()
}

/// Escapes text for XML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The 16 ANSI colours, in xterm order (black, red, …, bright white), as VS Code's dark terminal shows them.
const PALETTE: [u32; 16] = [
    0x000000, 0xcd3131, 0x0dbc79, 0xe5e510, 0x2472c8, 0xbc3fbc, 0x11a8cd, 0xe5e5e5, //
    0x666666, 0xf14c4c, 0x23d18b, 0xf5f543, 0x3b8eea, 0xd670d6, 0x29b8db, 0xffffff,
];

/// A terminal colour as hex, or `None` for the terminal's default (`Reset`).
fn hex(color: Color) -> Option<String> {
    let rgb = match color {
        Color::Reset => return None,
        Color::Black => PALETTE[0],
        Color::Red => PALETTE[1],
        Color::Green => PALETTE[2],
        Color::Yellow => PALETTE[3],
        Color::Blue => PALETTE[4],
        Color::Magenta => PALETTE[5],
        Color::Cyan => PALETTE[6],
        Color::Gray => PALETTE[7],
        Color::DarkGray => PALETTE[8],
        Color::LightRed => PALETTE[9],
        Color::LightGreen => PALETTE[10],
        Color::LightYellow => PALETTE[11],
        Color::LightBlue => PALETTE[12],
        Color::LightMagenta => PALETTE[13],
        Color::LightCyan => PALETTE[14],
        Color::White => PALETTE[15],
        Color::Rgb(r, g, b) => u32::from_be_bytes([0, r, g, b]),
        Color::Indexed(i) => indexed(i),
    };
    Some(format!("#{rgb:06x}"))
}

/// The xterm 256-colour palette: the 16 ANSI colours, a 6×6×6 cube, then 24 greys.
fn indexed(i: u8) -> u32 {
    let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * u32::from(v) };
    match i {
        0..=15 => PALETTE[usize::from(i)],
        16..=231 => {
            let v = i - 16;
            level(v / 36) << 16 | level(v / 6 % 6) << 8 | level(v % 6)
        }
        _ => 0x010101 * u32::from(8 + 10 * (i - 232)),
    }
}
