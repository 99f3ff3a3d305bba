"""Products, price lists, stock, orders, invoices, payments and credit."""
