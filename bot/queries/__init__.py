"""Read models for App Home, /casebot, SAR and audit: SQL allowed, plain dataclasses out."""
