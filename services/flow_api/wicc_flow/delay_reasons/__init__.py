"""The delay-reason lists (national NCTR, older DTOC, local sub-codes), as loaded."""
