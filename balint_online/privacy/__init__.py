"""A member's own data: everything the platform holds about them (export), and its erasure on request."""
