"""Layer 4, transfers: uploads of any size, server-side copies and moves, directory <->
prefix syncs and their plans, and Swift-to-Swift transfers between two clients. Built
on :mod:`..large` and below; :class:`~..client.SwiftClient` composes them."""
