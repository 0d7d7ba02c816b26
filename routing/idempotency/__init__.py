"""Idempotency keys of the API's writes: a client's retry of 受理 answers the case its first try made, never a second
case. ``models`` keeps the keys, ``services`` looks them up, records and purges them; the header itself is read by
``core.idempotency``."""
