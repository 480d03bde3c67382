//! The live one-line progress display, drawn on a terminal's stderr only.

use crate::text::duration;
use std::io::Write;
use std::time::Instant;

pub struct Progress {
    started: Instant,
    drawn: bool,
    frame: usize,
}

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

impl Progress {
    pub fn new() -> Progress {
        Progress {
            started: Instant::now(),
            drawn: false,
            frame: 0,
        }
    }

    pub fn draw(&mut self, running: &[&str], finished: usize, total: usize) {
        self.frame = (self.frame + 1) % SPINNER.len();
        let names = running.join(", ");
        let mut line = format!(
            "{} [{finished}/{total}] {} {names}",
            SPINNER[self.frame],
            duration::format(self.started.elapsed())
        );
        if let Some((cut, _)) = line.char_indices().nth(terminal_width().saturating_sub(1)) {
            line.truncate(cut);
        }
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
        self.drawn = true;
    }

    /// Removes the line before anything else is printed.
    pub fn clear(&mut self) {
        if self.drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.drawn = false;
        }
    }
}

fn terminal_width() -> usize {
    // SAFETY: TIOCGWINSZ fills a winsize struct; a failure leaves the fallback.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(libc::STDERR_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    if ok && size.ws_col > 0 {
        size.ws_col as usize
    } else {
        80
    }
}
