"""验伪码 of a printed document: derived from the 受理回执号 with an HMAC of the site's secret key, so a code
read off a paper can be checked later without storing it (and cannot be made up without the key)."""

from django.utils.crypto import constant_time_compare, salted_hmac

LENGTH = 12
_SALT = "routing.anti_forgery"
# No 0/O or 1/I: the code is read off paper and typed back in.
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def anti_forgery_code(receipt_no: str) -> str:
    """The 12-character 验伪码 of the case with this 受理回执号 (the same every time)."""
    digest = salted_hmac(_SALT, receipt_no, algorithm="sha256").digest()
    return "".join(_ALPHABET[byte % len(_ALPHABET)] for byte in digest[:LENGTH])


def anti_forgery_valid(receipt_no: str, code: str) -> bool:
    """Whether ``code`` is the 验伪码 printed for this 受理回执号."""
    return constant_time_compare(anti_forgery_code(receipt_no), (code or "").strip().upper())
