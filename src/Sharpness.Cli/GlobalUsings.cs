// The run and figure types the commands and renderers share with the library.
global using Sharpness.Experiments.Figures;
global using Sharpness.Experiments.Runs;
