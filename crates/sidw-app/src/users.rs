//! The users file of `sidw serve`: one user per line, `USER ROLE [REGIONS] KEYTYPE BASE64 [COMMENT]` (the last
//! part as in an OpenSSH `.pub` file; REGIONS a comma list such as `Zwolle,Hardenberg`, none = every region),
//! `#` starts a comment. A malformed line (also one that is not UTF-8, or an RSA key,
//! which the server cannot verify) is reported by its number and skipped; the other users keep working.
//! The server reads the file again every second; a missing or unreadable file lets nobody in
//! (`sidw::users_file`, which reads and replaces the file; this module only parses and edits its bytes).

use crate::domain::{Access, Role, Scope};
use russh::keys::PublicKey;

#[derive(Debug, Clone)]
pub struct User {
    pub name: String,
    pub role: Role,
    /// The regions this user sees and changes (the users file's optional list; none = all).
    pub scope: Scope,
    pub key: PublicKey,
}

impl User {
    pub fn access(&self) -> Access {
        Access::new(self.role, self.scope.clone())
    }
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
        Self::parse_bytes(text.as_bytes())
    }

    /// Reads the file's bytes line by line: a line that is not UTF-8 is skipped, never the whole file.
    pub fn parse_bytes(bytes: &[u8]) -> Self {
        let mut users = Self::default();
        for (index, line) in bytes.split(|b| *b == b'\n').enumerate() {
            let Ok(line) = std::str::from_utf8(line) else {
                users.problems.push((index + 1, "geen geldige UTF-8-tekst".into()));
                continue;
            };
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            match parse_line(line) {
                // One user, one role and one set of regions (several keys are fine): a second line
                // that says otherwise would share the first one's folders with other rights.
                Ok(user) => match users.users.iter().find(|u| u.name == user.name) {
                    Some(first) if first.role != user.role || first.scope != user.scope => users.problems.push((
                        index + 1,
                        format!(
                            "'{}' staat er al met rol {} voor {}; één gebruiker heeft één rol en één stel regio's",
                            user.name,
                            first.role.name(),
                            first.scope.describe()
                        ),
                    )),
                    _ => users.users.push(user),
                },
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

/// The key types the server can verify (russh with ring, without its RSA support).
pub const SUPPORTED_KEY_TYPES: [&str; 4] =
    ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"];

fn parse_line(line: &str) -> Result<User, String> {
    let mut parts = line.split_whitespace().peekable();
    let (Some(name), Some(role)) = (parts.next(), parts.next()) else {
        return Err("verwacht: GEBRUIKER ROL [REGIO'S] SLEUTELTYPE SLEUTEL [COMMENTAAR]".into());
    };
    // A third word that is no key type is the list of regions.
    let scope = match parts.peek() {
        Some(word) if !looks_like_key_type(word) => {
            let list = parts.next().unwrap_or_default();
            Scope::parse(list).map_err(|e| format!("regio's '{list}': {e}"))?
        }
        _ => Scope::All,
    };
    let (Some(kind), Some(base64)) = (parts.next(), parts.next()) else {
        return Err("verwacht: GEBRUIKER ROL [REGIO'S] SLEUTELTYPE SLEUTEL [COMMENTAAR]".into());
    };
    if name.starts_with(['.', '-']) || !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(format!("'{name}' is geen geldige gebruikersnaam"));
    }
    let role =
        Role::parse(role).ok_or_else(|| format!("'{role}' is geen rol; kies viewer, editor, finance of admin"))?;
    if !SUPPORTED_KEY_TYPES.contains(&kind) {
        return Err(if kind.contains("rsa") {
            format!("RSA-sleutels worden niet ondersteund; gebruik {}", SUPPORTED_KEY_TYPES.join(" of "))
        } else {
            format!("sleuteltype '{kind}' wordt niet ondersteund; gebruik {}", SUPPORTED_KEY_TYPES.join(" of "))
        });
    }
    let key = PublicKey::from_openssh(&format!("{kind} {base64}")).map_err(|e| format!("sleutel onleesbaar: {e}"))?;
    Ok(User { name: name.to_string(), role, scope, key })
}

/// `ssh-…`, `ecdsa-…`, `sk-…` or anything with `@` (an OpenSSH certificate or security-key type).
fn looks_like_key_type(word: &str) -> bool {
    word.starts_with("ssh-") || word.starts_with("ecdsa-") || word.starts_with("sk-") || word.contains('@')
}

/// Checks one line as the users file takes it (for the admin's form): the user, or what is wrong.
pub fn check_line(line: &str) -> Result<User, String> {
    parse_line(line.trim())
}

/// The users file's bytes with `line` added at the end (on a line of its own).
pub fn with_line(bytes: &[u8], line: &str) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(line.trim().as_bytes());
    bytes.push(b'\n');
    bytes
}

/// The users file's bytes without any line of the user `name` (comments and other users stay as
/// they are, empty lines go), and how many lines went.
pub fn without_user(bytes: &[u8], name: &str) -> (Vec<u8>, usize) {
    let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').filter(|line| !line.is_empty()).collect();
    let (gone, kept): (Vec<&[u8]>, Vec<&[u8]>) = lines.into_iter().partition(|line| {
        let line = String::from_utf8_lossy(line);
        line.split('#').next().unwrap_or("").split_whitespace().next() == Some(name)
    });
    let mut text = kept.join(&b'\n');
    text.push(b'\n');
    (text, gone.len())
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

    #[test]
    fn a_second_line_of_a_user_may_add_a_key_but_not_other_rights() {
        let other = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA6zOc8xUg6YXNIaYd2Sh5Ut5SqtbM+tCM3PD7zaGXyd anna@pc";
        let users = Users::parse(&format!("anna editor {KEY}\nanna editor {other}\nanna admin {other}\n"));
        assert_eq!(users.users.len(), 2, "two keys of one editor");
        assert_eq!(users.problems.len(), 1);
        assert_eq!(users.problems[0].0, 3);
        assert!(users.problems[0].1.contains("staat er al met rol editor"), "{}", users.problems[0].1);
        let users = Users::parse(&format!("anna editor Zwolle {KEY}\nanna editor {other}\n"));
        assert_eq!((users.users.len(), users.problems.len()), (1, 1), "other regions are other rights");
    }

    #[test]
    fn a_line_may_name_regions_and_a_wrong_region_skips_only_that_line() {
        use crate::domain::Region;
        let text =
            format!("anna editor Zwolle,Hardenberg {KEY}\nbert viewer {KEY}\ncees editor Zwolle,Utrecht {KEY}\n");
        let users = Users::parse(&text);
        assert_eq!(users.users.len(), 2);
        let anna = &users.users[0];
        assert_eq!(
            anna.access(),
            Access::new(Role::Editor, Scope::Regions([Region::Zwolle, Region::Hardenberg].into()))
        );
        assert_eq!(users.users[1].scope, Scope::All);
        assert_eq!(users.problems.len(), 1);
        assert_eq!(users.problems[0].0, 3);
        assert!(users.problems[0].1.contains("'Utrecht' is geen regio"), "{}", users.problems[0].1);
    }

    #[test]
    fn a_line_that_is_not_utf8_or_holds_an_rsa_key_is_skipped_alone() {
        let mut bytes = format!("anna editor {KEY}\n").into_bytes();
        bytes.extend_from_slice(b"bert editor \xff\xfe kapot\n");
        bytes.extend_from_slice(b"rob editor ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ rob\n");
        bytes.extend_from_slice(format!("fien finance {KEY}").as_bytes());
        let users = Users::parse_bytes(&bytes);
        assert_eq!(users.users.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(), vec!["anna", "fien"]);
        assert_eq!(users.problems.iter().map(|(line, _)| *line).collect::<Vec<_>>(), vec![2, 3]);
        assert!(users.problems[0].1.contains("UTF-8"));
        assert!(users.problems[1].1.contains("RSA-sleutels worden niet ondersteund; gebruik ssh-ed25519"));
        assert!(check_line("rob editor ssh-rsa AAAA").unwrap_err().contains("RSA"));
    }
}
