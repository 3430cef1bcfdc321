"""What leaves the database for people: the workbook, the notice, record text."""
