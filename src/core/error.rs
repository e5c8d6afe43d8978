//! The error table (CONTRACT section 2): one place decides which class an
//! answer becomes and what its message says.

/// The eleven JS error classes. The bindings turn each into the JS class of
/// the same name; `name()` is that name, literally (minifiers rename classes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    AirstoreError,
    APIError,
    AuthenticationError,
    PermissionDeniedError,
    NotFoundError,
    ConflictError,
    UnprocessableEntityError,
    RateLimitError,
    InternalServerError,
    APIConnectionError,
    APIConnectionTimeoutError,
    /// authorize: the person left the window without connecting.
    PopupClosedError,
    /// authorize in popup mode: the browser refused to open the window.
    PopupBlockedError,
}

impl ErrorClass {
    /// The class for a non-2xx answer.
    pub fn for_status(status: u16) -> ErrorClass {
        match status {
            401 => ErrorClass::AuthenticationError,
            403 => ErrorClass::PermissionDeniedError,
            404 => ErrorClass::NotFoundError,
            409 => ErrorClass::ConflictError,
            422 => ErrorClass::UnprocessableEntityError,
            429 => ErrorClass::RateLimitError,
            s if s >= 500 => ErrorClass::InternalServerError,
            _ => ErrorClass::APIError,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ErrorClass::AirstoreError => "AirstoreError",
            ErrorClass::APIError => "APIError",
            ErrorClass::AuthenticationError => "AuthenticationError",
            ErrorClass::PermissionDeniedError => "PermissionDeniedError",
            ErrorClass::NotFoundError => "NotFoundError",
            ErrorClass::ConflictError => "ConflictError",
            ErrorClass::UnprocessableEntityError => "UnprocessableEntityError",
            ErrorClass::RateLimitError => "RateLimitError",
            ErrorClass::InternalServerError => "InternalServerError",
            ErrorClass::APIConnectionError => "APIConnectionError",
            ErrorClass::APIConnectionTimeoutError => "APIConnectionTimeoutError",
            ErrorClass::PopupClosedError => "PopupClosedError",
            ErrorClass::PopupBlockedError => "PopupBlockedError",
        }
    }
}

/// Messages a user meets, kept together so tests and docs can quote them.
pub mod messages {
    pub const CANCELLED: &str = "Request was cancelled";
    pub const TIMED_OUT: &str = "Request timed out";
    pub const WINDOW_CLOSED: &str = "The authorization window was closed before the connection was made";
    /// A 404 for a session a check saw pending: it finished, and Airstore
    /// deleted it before this client looked again.
    pub const SESSION_ENDED: &str =
        "The OAuth session ended and Airstore no longer holds its result (a finished session is kept about 30 s): look the connection up on your server";
    pub const POLL_TIMED_OUT: &str = "OAuth session timed out after ";
    pub const KEYLESS_CREATE: &str =
        "createSession needs an API key: sessions are created server-side (this client was made with Airstore.keyless)";
}

/// An error as the core knows it. `H` is the platform's response headers
/// type and `C` its native error value (kept as `cause`).
#[derive(Debug, Clone, PartialEq)]
pub struct Error<H = (), C = ()> {
    pub class: ErrorClass,
    pub message: String,
    /// HTTP status, for `APIError` and its subclasses.
    pub status: Option<u16>,
    pub headers: Option<H>,
    pub request_id: Option<String>,
    pub cause: Option<C>,
}

impl<H, C> Error<H, C> {
    /// A plain `AirstoreError` (configuration, bad input, poll outcome).
    pub fn airstore(message: impl Into<String>) -> Self {
        Error { class: ErrorClass::AirstoreError, message: message.into(), status: None, headers: None, request_id: None, cause: None }
    }

    /// A bad value from the caller; the message names the field.
    pub fn invalid(field: &str, expected: &str) -> Self {
        Error::airstore(super::text::concat(&[field, " ", expected]))
    }

    /// An `APIError` (or subclass) for a non-2xx answer.
    pub fn api(status: u16, message: String, headers: H, request_id: Option<String>) -> Self {
        Error { class: ErrorClass::for_status(status), message, status: Some(status), headers: Some(headers), request_id, cause: None }
    }

    pub fn with_class(mut self, class: ErrorClass) -> Self {
        self.class = class;
        self
    }

    pub fn with_cause(mut self, cause: Option<C>) -> Self {
        self.cause = cause;
        self
    }
}

/// The default message of an `APIError` whose body says nothing usable.
pub fn status_message(status: u16) -> String {
    super::text::concat(&["Request failed with status ", &super::text::decimal(status.into())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_table_matches_the_contract() {
        let table = [
            (400, "APIError"),
            (401, "AuthenticationError"),
            (403, "PermissionDeniedError"),
            (404, "NotFoundError"),
            (409, "ConflictError"),
            (422, "UnprocessableEntityError"),
            (429, "RateLimitError"),
            (500, "InternalServerError"),
            (502, "InternalServerError"),
            (599, "InternalServerError"),
            (302, "APIError"),
            (418, "APIError"),
        ];
        for (status, name) in table {
            assert_eq!(ErrorClass::for_status(status).name(), name, "{status}");
        }
    }
}
