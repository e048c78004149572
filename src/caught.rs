//! The one way billrun catches a panic: at the few places where one is a dependency's answer
//! to bad input or a failed write (calamine, rust_xlsxwriter) or, in `main`, a bug to report
//! as an error line rather than a raw panic.

/// Runs `step`; a panic in it becomes `Err` with the panic's message.
pub fn catch<T>(step: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(step)).map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("no message")
            .to_string()
    })
}
