"""The member's rights over the data held about them: export, erasure, rectification."""
