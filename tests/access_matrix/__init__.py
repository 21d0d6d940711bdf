"""The role × scope × endpoint access matrix (issue #8): who gets what from every door
that addresses an object, generated from the permission table and the URL map."""
