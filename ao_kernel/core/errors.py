"""One error tree for the whole node.

Every failure a user can cause (bad bytes, a bad signature, an unknown device, a Lua error
in a handler, a runaway loop) surfaces as a subclass of :class:`AOError`. Edges that wrap a
library (lupa, wasmtime, sqlite3, HTTP) translate that library's exceptions into this tree,
so callers catch one family and users never see a traceback through our internals for a
mistake in their own input.

::

    AOError                              status  (HTTP status the edge answers with)
    ├── MalformedError                      400  input that does not parse
    │   ├── EncodingError                   400    base64url, UTF-8, numbers
    │   ├── StructuredFieldError            400    RFC 8941 structured fields
    │   ├── TypeAnnotationError             400    ao-types: unknown type or bad value
    │   ├── MessageError                    400    keys and values of a message
    │   ├── HttpsigError                    400    httpsig@1.0 wire form
    │   ├── ANS104Error                     400    ans104@1.0 binary data items
    │   ├── JSONCodecError                  400    json@1.0
    │   ├── FlatError                       400    flat@1.0
    │   └── PathError                       400    the HyperBEAM URL grammar
    ├── SignatureError                      400  a commitment does not verify
    ├── WalletError                         400  unreadable or unsupported keys
    ├── ResolveError                        500  AO-Core resolution failed
    │   ├── DeviceNotFoundError             404    no device of that name
    │   ├── KeyNotFoundError                404    the device does not resolve the key
    │   └── RecursionLimitError             508    a resolution loops
    ├── StoreError                          500  the store failed (I/O, corruption)
    │   └── NotFoundError                   404    no message with that ID or path
    ├── ProcessError                        500  scheduling or computing a process
    │   ├── SchedulerError                  400    slots, hash chains, assignments
    │   ├── ProcessNotFoundError            404    unknown process
    │   ├── LuaError                        500    an error raised by user Lua code
    │   │   └── LuaSyntaxError              500      Lua source that does not compile
    │   ├── ComputeLimitError               500    instruction / fuel budget exhausted
    │   ├── MemoryLimitError                500    memory budget exhausted
    │   └── InterruptError                  500    a computation stopped by the host
    ├── PaymentError                        402  insufficient funds
    └── RemoteError                         502  another node answered with an error

Each error carries ``field`` (the key, byte offset or path element that was wrong, when
there is one) so messages name what was wrong.
"""

from __future__ import annotations


class AOError(Exception):
    """Base of every error raised by ao_kernel."""

    status: int = 500

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        if self.field is not None and self.field not in self.message:
            return f"{self.message} (field: {self.field})"
        return self.message


class MalformedError(AOError):
    """Input that does not parse."""

    status = 400


class EncodingError(MalformedError):
    """Bad base64url, UTF-8 or number text."""


class StructuredFieldError(MalformedError):
    """A malformed RFC 8941 structured field."""


class TypeAnnotationError(MalformedError):
    """An ``ao-types`` entry names an unknown type or does not match its value."""


class MessageError(MalformedError):
    """A key or value a message cannot hold."""


class HttpsigError(MalformedError):
    """A malformed httpsig@1.0 message (headers, signature-input, multipart body)."""


class ANS104Error(MalformedError):
    """A malformed ANS-104 data item."""


class JSONCodecError(MalformedError):
    """A malformed json@1.0 document."""


class FlatError(MalformedError):
    """A malformed flat@1.0 document."""


class PathError(MalformedError):
    """A malformed HyperBEAM path."""


class SignatureError(AOError):
    """A commitment or signature that does not verify."""

    status = 400


class WalletError(AOError):
    """A wallet that cannot be loaded or used."""

    status = 400


class ResolveError(AOError):
    """AO-Core resolution failed."""

    status = 500


class DeviceNotFoundError(ResolveError):
    """No device of that name is known to this node."""

    status = 404


class KeyNotFoundError(ResolveError):
    """The device does not resolve that key."""

    status = 404


class RecursionLimitError(ResolveError):
    """A resolution recursed past the limit."""

    status = 508


class StoreError(AOError):
    """The store failed."""

    status = 500


class NotFoundError(StoreError):
    """No message with that ID or path."""

    status = 404


class ProcessError(AOError):
    """Scheduling or computing a process failed."""

    status = 500


class SchedulerError(ProcessError):
    """A scheduling request that cannot be honoured (slot, hash chain, assignment)."""

    status = 400


class ProcessNotFoundError(ProcessError):
    """No process with that ID."""

    status = 404


class LuaError(ProcessError):
    """An error raised by user Lua code."""

    lua_traceback: str | None = None  # Lua's stack traceback, when the engine had one


class LuaSyntaxError(LuaError):
    """Lua source that does not compile."""


class ComputeLimitError(ProcessError):
    """The instruction or fuel budget of a computation was exhausted."""


class MemoryLimitError(ProcessError):
    """The memory budget of a computation was exhausted."""


class InterruptError(ProcessError):
    """A running computation was stopped by the host (e.g. a kernel interrupt)."""


class SnapshotError(ProcessError):
    """A Lua state could not be copied or restored (a suspended coroutine, no memory)."""


class ForbiddenError(AOError):
    """A request this node's configuration does not allow (an origin, caller-supplied Lua)."""

    status = 403


class PaymentError(AOError):
    """The caller cannot pay for the request."""

    status = 402


class RemoteError(AOError):
    """Another node answered with an error."""

    status = 502
