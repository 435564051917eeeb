//! The users file of `sidw serve`: one user per line, `USER ROLE KEYTYPE BASE64 [COMMENT]` (the last part as in an
//! OpenSSH `.pub` file), `#` starts a comment. A malformed line is reported by its number and
//! skipped; the other users keep working.

use russh::keys::PublicKey;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::app::Role;

#[derive(Debug, Clone)]
pub struct User {
    pub name: String,
    pub role: Role,
    pub key: PublicKey,
}

/// The users of a users file, and what was wrong with it.
#[derive(Debug, Default)]
pub struct Users {
    pub users: Vec<User>,
    /// (line number, what is wrong) for every line that was skipped.
    pub problems: Vec<(usize, String)>,
}

impl Users {
    pub fn parse(text: &str) -> Self {
        let mut users = Self::default();
        for (index, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            match parse_line(line) {
                Ok(user) => users.users.push(user),
                Err(problem) => users.problems.push((index + 1, problem)),
            }
        }
        users
    }

    /// The user of that name with that key, if any.
    pub fn find(&self, name: &str, key: &PublicKey) -> Option<&User> {
        self.users.iter().find(|u| u.name == name && u.key.key_data() == key.key_data())
    }
}

fn parse_line(line: &str) -> Result<User, String> {
    let mut parts = line.split_whitespace();
    let (Some(name), Some(role), Some(kind), Some(base64)) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("verwacht: GEBRUIKER ROL SLEUTELTYPE SLEUTEL [COMMENTAAR]".into());
    };
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
        return Err(format!("'{name}' is geen geldige gebruikersnaam"));
    }
    let role =
        Role::parse(role).ok_or_else(|| format!("'{role}' is geen rol; kies viewer, editor, finance of admin"))?;
    let key = PublicKey::from_openssh(&format!("{kind} {base64}")).map_err(|e| format!("sleutel onleesbaar: {e}"))?;
    Ok(User { name: name.to_string(), role, key })
}

/// Checks one line as the users file takes it (for the admin's form): the user, or what is wrong.
pub fn check_line(line: &str) -> Result<User, String> {
    parse_line(line.trim())
}

/// Adds a line to the users file (the server reads it again within a second).
pub fn append(path: &Path, line: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new().append(true).create(true).open(path)?;
    writeln!(file, "{}", line.trim())
}

/// Removes every line of the user (comments and other users stay as they are); how many went.
pub fn remove(path: &Path, name: &str) -> std::io::Result<usize> {
    let text = std::fs::read_to_string(path)?;
    let (gone, kept): (Vec<&str>, Vec<&str>) =
        text.lines().partition(|line| line.split('#').next().unwrap_or("").split_whitespace().next() == Some(name));
    std::fs::write(path, kept.join("\n") + "\n")?;
    Ok(gone.len())
}

/// A users file that is read again when it changes.
pub struct UsersFile {
    path: PathBuf,
    modified: Option<SystemTime>,
    pub users: Users,
}

impl UsersFile {
    pub fn load(path: &Path) -> std::io::Result<Self> {
        let mut file = Self { path: path.to_path_buf(), modified: None, users: Users::default() };
        file.reload()?;
        Ok(file)
    }

    /// Reads the file again if it changed since the last read; true when it did.
    pub fn refresh(&mut self) -> std::io::Result<bool> {
        let modified = std::fs::metadata(&self.path)?.modified().ok();
        if modified == self.modified {
            return Ok(false);
        }
        self.reload()?;
        Ok(true)
    }

    fn reload(&mut self) -> std::io::Result<()> {
        self.modified = std::fs::metadata(&self.path)?.modified().ok();
        self.users = Users::parse(&std::fs::read_to_string(&self.path)?);
        for (line, problem) in &self.users.problems {
            eprintln!("sidw serve: {} regel {line} overgeslagen: {problem}", self.path.display());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl anna@laptop";

    #[test]
    fn lines_comments_and_problems() {
        let text = format!(
            "# gebruikers\nanna editor {KEY}\n\nbert boss {KEY}\ncees viewer ssh-ed25519 kapot\nfien finance {KEY} # financiën\n"
        );
        let users = Users::parse(&text);
        assert_eq!(
            users.users.iter().map(|u| (u.name.as_str(), u.role)).collect::<Vec<_>>(),
            vec![("anna", Role::Editor), ("fien", Role::Finance)]
        );
        assert_eq!(users.problems.iter().map(|(line, _)| *line).collect::<Vec<_>>(), vec![4, 5]);
        assert!(users.problems[0].1.contains("geen rol"));
        let key = &users.users[0].key;
        assert!(users.find("anna", key).is_some());
        assert!(users.find("bert", key).is_none());
    }
}
