"""The one LLM client: every call to a language model in the product goes through this package."""

from core.llm.capabilities import CapabilityCache
from core.llm.client import LLMClient, StreamResult
from core.llm.concurrency import run_concurrently
from core.llm.errors import LLMError
from core.llm.records import EndpointCheck, ErrorKind, LLMCallRecord, LLMResult, ResponseFormatKind
from core.llm.settings import LLMSettings

__all__ = [
    "CapabilityCache",
    "EndpointCheck",
    "ErrorKind",
    "LLMCallRecord",
    "LLMClient",
    "LLMError",
    "LLMResult",
    "LLMSettings",
    "ResponseFormatKind",
    "StreamResult",
    "run_concurrently",
]
