"""``swift://`` as a filesystem: fsspec (and so Airflow's ObjectStoragePath) over the client.

``swift`` -- the filesystem and the module Airflow's provider info names;
``listing`` -- flat, paged listings turned into a tree of pseudo-directories;
``files`` -- open files (ranged reads, spooled writes); ``paths`` -- path syntax and
error translation; ``upath`` -- the universal_pathlib class for ``swift://``.
"""
