"""Layer 2, the REST services: one class per Swift resource (``/info``, the account,
containers, objects), each method one request as the Swift API documents it; plus what
the server can do (:mod:`.server`), bulk deletes, temporary URLs and the triggers'
async requests. Built on :mod:`..wire` only."""
