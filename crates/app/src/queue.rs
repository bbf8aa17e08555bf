//! Bounded work: at most so many at work, so many waiting in order, each for so long. Keeps
//! memory bounded whatever the callers send at once (imports here, password hashing in `web`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The size of a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueLimits {
    /// At work at once.
    pub slots: usize,
    /// Waiting at most, first come, first served.
    pub queue: usize,
    /// The longest one waits before it is refused.
    pub wait: std::time::Duration,
}

impl Default for QueueLimits {
    /// The imports' defaults: two at once, sixteen waiting, each for at most two minutes.
    fn default() -> Self {
        QueueLimits {
            slots: 2,
            queue: 16,
            wait: std::time::Duration::from_secs(120),
        }
    }
}

/// A turn to work; dropping it lets the next waiter in. Move it into the blocking task so a
/// caller that hangs up does not free the slot while the work goes on.
pub struct Turn {
    _permit: OwnedSemaphorePermit,
}

/// Why there was no turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full {
    /// Running now (the most that run at once).
    pub running: usize,
    /// Waiting now.
    pub waiting: usize,
    /// The most that may wait.
    pub queue_limit: usize,
    /// True when the caller waited its longest and gave up; false when the queue was full.
    pub timed_out: bool,
}

/// At most `slots` at work, at most `queue_limit` waiting (first come, first served), each for
/// at most `wait`.
pub struct WorkQueue {
    semaphore: Arc<Semaphore>,
    slots: usize,
    waiting: AtomicUsize,
    queue_limit: usize,
    wait: std::time::Duration,
}

/// Takes one off the waiting count when the waiter stops waiting, however it stops.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl WorkQueue {
    pub fn new(slots: usize, queue_limit: usize, wait: std::time::Duration) -> Self {
        let slots = slots.max(1);
        WorkQueue {
            semaphore: Arc::new(Semaphore::new(slots)),
            slots,
            waiting: AtomicUsize::new(0),
            queue_limit,
            wait,
        }
    }

    /// How many are waiting now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// How many are at work now.
    pub fn running(&self) -> usize {
        self.slots - self.semaphore.available_permits().min(self.slots)
    }

    /// A turn now, or after waiting behind `position - 1` others; `on_queued` is told the
    /// position when the caller has to wait.
    pub async fn enter(&self, on_queued: impl FnOnce(usize)) -> Result<Turn, Full> {
        if let Ok(permit) = Arc::clone(&self.semaphore).try_acquire_owned() {
            return Ok(Turn { _permit: permit });
        }
        let full = |timed_out| Full {
            running: self.running(),
            waiting: self.waiting(),
            queue_limit: self.queue_limit,
            timed_out,
        };
        let limit = self.queue_limit;
        let Ok(before) = self
            .waiting
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < limit).then_some(n + 1)
            })
        else {
            return Err(full(false));
        };
        let _waiting = Waiting(&self.waiting);
        on_queued(before + 1);
        match tokio::time::timeout(self.wait, Arc::clone(&self.semaphore).acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Turn { _permit: permit }),
            // The semaphore is never closed; a timeout is the only way to get here.
            _ => Err(full(true)),
        }
    }
}

impl WorkQueue {
    pub fn from_limits(l: &QueueLimits) -> Self {
        WorkQueue::new(l.slots, l.queue, l.wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_queue_is_bounded_and_says_the_position() {
        let q = WorkQueue::new(1, 1, std::time::Duration::from_millis(50));
        let first = q.enter(|_| {}).await;
        assert!(first.is_ok());
        let q = Arc::new(q);
        let q2 = Arc::clone(&q);
        let (tx, rx) = tokio::sync::oneshot::channel();
        let waiter = tokio::spawn(async move {
            let mut tx = Some(tx);
            q2.enter(move |p| {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(p);
                }
            })
            .await
            .is_ok()
        });
        assert_eq!(rx.await.ok(), Some(1));
        let full = q.enter(|_| {}).await.err();
        assert_eq!(
            full,
            Some(Full {
                running: 1,
                waiting: 1,
                queue_limit: 1,
                timed_out: false
            })
        );
        assert_eq!(
            waiter.await.ok(),
            Some(false),
            "timed out while the slot was held"
        );
        assert_eq!(q.waiting(), 0);
        drop(first);
        assert!(q.enter(|_| {}).await.is_ok());
    }
}
