"""Layer 3, large objects: segment arithmetic and manifests, segment discovery and
verified reads, the one segmented-write transaction (:mod:`.segmented`), segment
retirement and deletes that take segments along. Built on :mod:`..rest` and below."""
