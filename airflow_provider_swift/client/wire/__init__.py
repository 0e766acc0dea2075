"""Layer 1, the wire: what a single HTTP request to Swift is -- the request rules
(:mod:`.core`), auth, retry policy, the sync and async transports, names and header
values on the wire, paged listings. Knows nothing of containers or large objects."""
