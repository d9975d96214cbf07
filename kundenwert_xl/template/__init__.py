"""Builds workbook_template.xlsm from source: sheets, VBA project, ribbon."""
