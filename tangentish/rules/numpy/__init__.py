"""Rules for NumPy: elementwise partials (`elementwise`) and structural adjoints (`structural`)."""
