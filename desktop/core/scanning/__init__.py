"""Reading codes at the kiosk: camera frame → decoded text → verified pass decision. No Qt."""

from .debounce import ScanDebouncer
from .decoder import DEFAULT_SYMBOLOGIES, DecodedCode, FrameDecoder, Symbology, to_grayscale
from .scanner import NOTHING, PassKeyring, PassScanner, ScanKind, ScanResult

__all__ = [
    "DEFAULT_SYMBOLOGIES",
    "NOTHING",
    "DecodedCode",
    "FrameDecoder",
    "PassKeyring",
    "PassScanner",
    "ScanDebouncer",
    "ScanKind",
    "ScanResult",
    "Symbology",
    "to_grayscale",
]
