"""The Hà Nội administrative assistant: grounded answers over city documents."""
