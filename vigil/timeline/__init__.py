"""Reading and writing the safeguarding timeline format, and replaying a timeline through
the pure policy engine (`vigil.policy`). Only `management/` imports Django."""
