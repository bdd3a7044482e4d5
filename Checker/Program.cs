using System.CommandLine;
using Klp.Check.Commands;

return Cli.Run(args);
