//! A command's stdin that arrives in chunks (an SSH channel's data, the socket's STDIN frames):
//! read as one stream, and a connection that ends before the end of the input is an error (an
//! import then stores nothing).

use std::io::Read;

/// What the source gives next: a chunk, the end of the input, or a broken connection.
pub(super) enum Next {
    Chunk(Vec<u8>),
    End,
    Broken,
}

pub(super) struct ChunkedInput<F> {
    next: F,
    left: Vec<u8>,
    ended: bool,
}

impl<F: FnMut() -> Next> ChunkedInput<F> {
    pub(super) fn new(next: F) -> Self {
        Self { next, left: Vec::new(), ended: false }
    }
}

impl<F: FnMut() -> Next> Read for ChunkedInput<F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.left.is_empty() && !self.ended {
            match (self.next)() {
                Next::Chunk(bytes) => self.left = bytes,
                Next::End => self.ended = true,
                Next::Broken => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "de verbinding brak af voordat de invoer compleet was",
                    ));
                }
            }
        }
        let n = buf.len().min(self.left.len());
        buf[..n].copy_from_slice(&self.left[..n]);
        self.left.drain(..n);
        Ok(n)
    }
}
