"""The exception hierarchy. Every error the SDK raises is a :class:`QoderError`.

::

    QoderError
    ├── APIError                      (anything that came from, or concerns, the API)
    │   ├── APIStatusError            (non-2xx response; ``status_code``)
    │   │   ├── BadRequestError            400
    │   │   ├── AuthenticationError        401
    │   │   ├── PermissionDeniedError      403
    │   │   ├── NotFoundError              404 / 410
    │   │   ├── ConflictError              409
    │   │   ├── RequestTooLargeError       413
    │   │   ├── UnprocessableEntityError   422
    │   │   ├── RateLimitError             429
    │   │   ├── InternalServerError        5xx
    │   │   └── OverloadedError            529
    │   ├── APIConnectionError        (no usable response)
    │   │   └── APITimeoutError
    │   ├── APIResponseValidationError (the response was not the expected JSON)
    │   │   └── ResponseTooLargeError  (a response body or head over its limit)
    │   └── StreamError
    │       ├── APIStreamError        (an ``error`` frame inside the stream)
    │       ├── IncompleteStreamError (ended before its terminal event, resume off/impossible)
    │       └── EventTooLargeError
    ├── InvalidArgumentError          (rejected before sending; also a ``ValueError``)
    └── RequestCancelledError
"""

from __future__ import annotations

from typing import Any, Optional

__all__ = [
    "QoderError",
    "APIError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "RequestTooLargeError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "OverloadedError",
    "APIConnectionError",
    "APITimeoutError",
    "APIResponseValidationError",
    "ResponseTooLargeError",
    "StreamError",
    "APIStreamError",
    "IncompleteStreamError",
    "EventTooLargeError",
    "InvalidArgumentError",
    "RequestCancelledError",
]


class QoderError(Exception):
    """Base class of every SDK error.

    Attributes (``None`` where they do not apply):

    - ``message``: the full message (``"Error code: 404 - Agent 'x' was not found."``);
    - ``status_code``: HTTP status of API errors;
    - ``type``: the error envelope's ``error.type`` (``"not_found_error"``);
    - ``code``: the envelope's machine ``error.code``;
    - ``param``: the offending parameter (from the server, or the argument rejected locally);
    - ``request_id``: the server's request id;
    - ``idempotency_key``: the ``Idempotency-Key`` the failed call carried (retry with it);
    - ``body``: the response body (parsed JSON when it is JSON, else text);
    - ``kind``: the core's stable error class name (``"not_found"``, ``"timeout"``, ...);
    - ``retryable``: whether retrying the same call could succeed;
    - ``retry_after``: the server's ``Retry-After`` hint in seconds, when the call failed
      without sleeping on it (a hint above ``max_retry_after``, or past the total timeout).
    """

    message: str
    status_code: Optional[int]
    type: Optional[str]
    code: Optional[str]
    param: Optional[str]
    request_id: Optional[str]
    idempotency_key: Optional[str]
    body: Any
    kind: Optional[str]
    retryable: bool
    retry_after: Optional[float]

    def __init__(
        self,
        message: str,
        *,
        status_code: Optional[int] = None,
        type: Optional[str] = None,
        code: Optional[str] = None,
        param: Optional[str] = None,
        request_id: Optional[str] = None,
        idempotency_key: Optional[str] = None,
        body: Any = None,
        kind: Optional[str] = None,
        retryable: bool = False,
        retry_after: Optional[float] = None,
        server_message: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.type = type
        self.code = code
        self.param = param
        self.request_id = request_id
        self.idempotency_key = idempotency_key
        self.body = body
        self.kind = kind
        self.retryable = retryable
        self.retry_after = retry_after
        self._server_message = server_message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        parts = [repr(self.message)]
        for k in ("status_code", "type", "code", "param", "request_id"):
            v = getattr(self, k)
            if v is not None:
                parts.append(f"{k}={v!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __reduce__(self) -> Any:
        # Keep attributes across pickling (multiprocessing, concurrent.futures).
        return (_rebuild, (type(self), self.message, self.__dict__.copy()))


def _rebuild(cls: "type[QoderError]", message: str, state: "dict[str, Any]") -> QoderError:
    e = cls(message)
    e.__dict__.update(state)
    return e


class APIError(QoderError):
    """An error that came from the API or the connection to it."""


class APIStatusError(APIError):
    """The API answered with a non-2xx status (``status_code``)."""


class BadRequestError(APIStatusError):
    """400 ``invalid_request_error``."""


class AuthenticationError(APIStatusError):
    """401 ``authentication_error``."""


class PermissionDeniedError(APIStatusError):
    """403 ``permission_error``."""


class NotFoundError(APIStatusError):
    """404 (or 410) ``not_found_error``."""


class ConflictError(APIStatusError):
    """409 ``conflict_error`` (stale version, idempotency key reuse, busy or archived resource)."""


class RequestTooLargeError(APIStatusError):
    """413."""


class UnprocessableEntityError(APIStatusError):
    """422."""


class RateLimitError(APIStatusError):
    """429 ``rate_limit_error``."""


class InternalServerError(APIStatusError):
    """5xx ``api_error``."""


class OverloadedError(APIStatusError):
    """529 ``overloaded_error``."""


class APIConnectionError(APIError):
    """The connection could not be made, was reset, or the body was cut short."""


class APITimeoutError(APIConnectionError):
    """A connect, request, idle or total timeout fired."""


class APIResponseValidationError(APIError):
    """The response body was not the JSON the operation returns."""


class StreamError(APIError):
    """A failure of an event stream."""


class APIStreamError(StreamError):
    """The server sent an ``error`` frame inside the stream (``type``: e.g. ``overloaded_error``)."""


class IncompleteStreamError(StreamError):
    """The stream ended before its terminal event and could not be resumed."""


class EventTooLargeError(StreamError):
    """One event exceeded the size cap (``max_event_bytes``)."""


class ResponseTooLargeError(APIResponseValidationError):
    """A response's body or head exceeded its limit (``max_response_bytes``,
    ``max_header_bytes``); nothing past the limit was read."""


class InvalidArgumentError(QoderError, ValueError):
    """An argument was rejected before any request was sent (``param`` names it)."""


class RequestCancelledError(QoderError):
    """The call was cancelled."""


def _classes() -> "dict[str, type[QoderError]]":
    return {name: globals()[name] for name in __all__}
