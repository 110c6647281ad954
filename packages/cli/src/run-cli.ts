import { once } from 'node:events';
import { Command, CommanderError, Option } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { dumpWal } from './commands/dump.js';
import { inspectWal } from './commands/inspect.js';
import { repairWal } from './commands/repair.js';
import { verifyWal } from './commands/verify.js';
import { summarizeError } from './error-summary.js';
import { ExitCode, exitCodeForError } from './exit-codes.js';
import { type OpenedDirectory, openWalDirectory } from './open-directory.js';
import { type BackendOptions, backendSpec, parseBackend, parseEntryId, parseMode } from './options.js';
import { formatDumpSummary, formatError, formatInspect, formatRepair, formatVerify } from './output/human.js';
import { DelayedProgressBar } from './output/progress-bar.js';
import type { ProgressSink } from './progress.js';

/**
 * The `durability` command line: parses arguments (commander), runs a command from `commands/`, prints
 * its result (human text, or one JSON document with `--json`) and returns the exit code (exit-codes.ts).
 * Errors print one line, `durability: <CODE>: <message>`, on stderr; `--debug` adds the stack.
 */

interface CommonOptions extends BackendOptions {
  json?: boolean;
  debug?: boolean;
  progress: boolean;
}

interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** Runs the CLI on `argv` (as `process.argv`: node, script, args…); resolves with the exit code. */
export async function runCli(argv: readonly string[], io: Io = process): Promise<number> {
  let exitCode: number = ExitCode.OK;
  let debug = argv.includes('--debug');
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.OK;
      // No command given: commander printed the help on stderr.
      if (error.code === 'commander.help') return ExitCode.USAGE;
      io.stderr.write(`durability: INVALID_CONFIG: ${error.message.replace(/^error: /, '')}\n`);
      return ExitCode.USAGE;
    }
    debug ||= program.opts<{ debug?: boolean }>().debug === true;
    const summary = summarizeError(error);
    const code = exitCodeForError(error);
    const hint =
      code === ExitCode.INTERNAL && !debug ? ' (an internal error: rerun with --debug for the stack)' : '';
    io.stderr.write(`durability: ${formatError(summary)}${hint}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return code;
  }
  return exitCode;
}

function buildProgram(io: Io, setExitCode: (code: number) => void): Command {
  const program = new Command('durability')
    .description('Inspect, verify, dump and repair durability write-ahead logs.')
    .version(packageJson.version)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Commander's own error line is replaced by runCli's one-line `durability: CODE: message`.
      outputError: () => undefined,
    })
    .showSuggestionAfterError(false);

  withCommonOptions(program.command('inspect'))
    .description('Segments, entry ranges, tail state, checkpoints and markers, and the lock owner.')
    .option('--no-decode', 'do not decode payloads as CBOR (a WAL written with a custom codec; no markers)')
    .action(async (dir: string | undefined, options: CommonOptions & { decode: boolean }) => {
      const target = await open(dir, options);
      const result = await inspectWal(target, { decode: options.decode, progress: progressFor(io, options) });
      await print(io, options, result, formatInspect(result));
    });

  withCommonOptions(program.command('verify'))
    .description(
      'Full scan of every frame and the checkpoints the markers name; exit 0 clean, 1 torn tail, 2 corruption.',
    )
    .addOption(
      new Option('--mode <mode>', 'strict: a torn tail fails (exit 1); best-effort: it is accepted (exit 0)')
        .default('strict')
        .argParser(parseMode),
    )
    .option('--no-decode', 'check frames only; do not decode payloads as CBOR (custom codec)')
    .action(async (dir: string | undefined, options: CommonOptions & { mode: string; decode: boolean }) => {
      const target = await open(dir, options);
      const result = await verifyWal(target, {
        mode: parseMode(options.mode),
        decode: options.decode,
        progress: progressFor(io, options),
      });
      await print(io, options, result, formatVerify(result));
      setExitCode(result.exitCode);
    });

  withCommonOptions(program.command('dump'))
    .description('Entries as JSON lines {"entryId":…,"entry":…} (decoded CBOR), in id order.')
    .option('--from <id>', 'first entry id to print (inclusive)', parseEntryId('--from'))
    .option('--to <id>', 'last entry id to print (inclusive)', parseEntryId('--to'))
    .addOption(
      new Option('--mode <mode>', 'how a torn tail counts in the exit code, as for verify')
        .default('strict')
        .argParser(parseMode),
    )
    .option('--no-decode', 'print payloads as {"$bytes": base64} instead of decoding CBOR')
    .action(
      async (
        dir: string | undefined,
        options: CommonOptions & { from?: number; to?: number; mode: string; decode: boolean },
      ) => {
        const target = await open(dir, options);
        const json = options.json === true;
        let first = true;
        if (json) await write(io.stdout, '{"entries":[');
        const result = await dumpWal(target, {
          from: options.from,
          to: options.to,
          mode: parseMode(options.mode),
          decode: options.decode,
          progress: progressFor(io, options),
          onEntry: async (entry) => {
            const line = JSON.stringify(entry);
            await write(io.stdout, json ? `${first ? '\n' : ',\n'}${line}` : `${line}\n`);
            first = false;
          },
        });
        // With --json the entries and the summary are one document, streamed: {"entries":[…],"command":…}.
        if (json) await write(io.stdout, `${first ? '' : '\n'}],${JSON.stringify(result).slice(1)}\n`);
        else io.stderr.write(`${formatDumpSummary(result)}\n`);
        setExitCode(result.exitCode);
      },
    );

  withCommonOptions(program.command('repair'))
    .description(
      'Truncate a torn tail as WalWriter.resume does (takes the lock); corruption is never repaired.',
    )
    .option('--dry-run', 'print what would be truncated; change nothing')
    .action(async (dir: string | undefined, options: CommonOptions & { dryRun?: boolean }) => {
      const target = await open(dir, options);
      const result = await repairWal(target, { dryRun: options.dryRun, progress: progressFor(io, options) });
      await print(io, options, result, formatRepair(result));
      setExitCode(result.exitCode);
    });

  return program;
}

/** The options every command takes: output and backend selection. */
function withCommonOptions(command: Command): Command {
  return command
    .argument('[dir]', 'the WAL root directory (holding wal/); with --backend s3, the key prefix')
    .option('--json', 'print one JSON document on stdout instead of text')
    .option('--debug', 'print the stack of an error')
    .option('--no-progress', 'never show a progress bar')
    .addOption(
      new Option('--backend <kind>', 'storage backend: fs or s3').default('fs').argParser(parseBackend),
    )
    .option('--endpoint <url>', 'S3 endpoint URL (--backend s3)')
    .option('--bucket <name>', 'S3 bucket (--backend s3)')
    .option('--prefix <prefix>', 'key prefix of the WAL root in the bucket (--backend s3)')
    .option('--region <region>', 'S3 region (--backend s3; default us-east-1)');
}

function open(dir: string | undefined, options: CommonOptions): Promise<OpenedDirectory> {
  return openWalDirectory(backendSpec(dir, options));
}

/** A delayed progress bar on stderr when it is a terminal (and not disabled). */
function progressFor(io: Io, options: CommonOptions): ProgressSink | undefined {
  if (!options.progress || !io.stderr.isTTY) return undefined;
  return new DelayedProgressBar(io.stderr);
}

async function print(io: Io, options: CommonOptions, result: object, text: string): Promise<void> {
  await write(io.stdout, options.json ? `${JSON.stringify(result, null, 2)}\n` : `${text}\n`);
}

/** Writes and waits for the stream to drain when its buffer is full (a dump larger than memory). */
async function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}
