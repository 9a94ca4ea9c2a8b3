"""Administration: memberships, scholarships, payments and refunds, and oversight of every series."""
