"""Pages of the review workflow under /reviews/."""
