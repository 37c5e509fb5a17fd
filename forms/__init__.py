"""WTForms classes, one module per feature. Forms validate input; they never write."""
