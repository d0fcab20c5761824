using Sharpness.Build.ElfVersionPatch;

return PatchCommand.Run(args, Console.Out, Console.Error);
