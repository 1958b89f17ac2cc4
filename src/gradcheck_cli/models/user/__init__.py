"""The user's models: a model file (files.py) and a forward/backward layer pair
(layers.py), each behind the Model protocol; the code that calls the user's functions
and checks what they return, so that their mistakes are reported as theirs."""
