"""chipwatch spiders. `chipwatch` detects each response's kind; the others start from one kind of source."""
